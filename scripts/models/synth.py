"""Synthetic occlusions drawn over real faces, placed from five landmarks.

Kinds and labels (label 0 = mask, 1 = no mask, as in the model's output order):
  masked      a mask over nose and mouth (flat colours with pleats, patterns, or a
              mask photo warped onto the face)                        -> 0
  bare        the face as it is                                       -> 1
  below_nose  the same masks pulled down under the nose or the chin   -> 1
  hand        a hand, cup or phone over the mouth                     -> 1
Grayscale is a transform applied on top (category 'grayscale' in evaluation).
"""

import cv2
import numpy as np

INPUT = 64  # classifier input side
CROP_MARGIN = 1.25  # square crop side = CROP_MARGIN * max(box w, box h), centred
LABEL = {"masked": 0, "bare": 1, "below_nose": 1, "hand": 1}

_MASK_COLOURS = [
    (235, 240, 245), (140, 190, 230), (100, 160, 215), (30, 30, 35), (70, 75, 80),
    (160, 165, 170), (40, 60, 120), (190, 60, 70), (80, 130, 90), (230, 200, 210),
]


class FaceFrame:
    """Face coordinates: a across the face (-1 left .. 1 right), b down (0 eyes, 1 mouth)."""

    def __init__(self, box, lms):
        p = np.asarray(lms, np.float32)
        self.eyes = (p[0] + p[1]) / 2
        self.mouth = (p[3] + p[4]) / 2
        self.down = self.mouth - self.eyes
        n = np.linalg.norm(self.down) + 1e-6
        self.right = np.array([-self.down[1], self.down[0]]) / n
        if np.dot(self.right, p[1] - p[0]) < 0:
            self.right = -self.right
        self.half_w = 0.5 * box[2]
        self.nose_b = float(np.dot(p[2] - self.eyes, self.down) / (n * n))
        # centre line shifts with head turn: follow the nose horizontally
        self.nose_a = float(np.dot(p[2] - self.eyes, self.right) / self.half_w)

    def pt(self, a, b):
        return self.eyes + self.right * (a * self.half_w) + self.down * b


def _texture(rng, mask_photos, h=120, w=200):
    """A mask texture: mask photo, flat colour with pleats, or a pattern."""
    r = rng.random()
    if r < 0.35 and mask_photos:
        tex = mask_photos[rng.integers(len(mask_photos))].copy()
        tex = cv2.resize(tex, (w, h))
        if rng.random() < 0.3:  # recolour while keeping the fabric's shading
            g = cv2.cvtColor(tex, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255
            c = np.array(_MASK_COLOURS[rng.integers(len(_MASK_COLOURS))], np.float32)
            tex = np.clip(g[..., None] * c * 1.1, 0, 255).astype(np.uint8)
        return tex
    c = np.array(_MASK_COLOURS[rng.integers(len(_MASK_COLOURS))], np.float32)
    if rng.random() < 0.3:
        c = rng.integers(0, 256, 3).astype(np.float32)
    tex = np.ones((h, w, 3), np.float32) * c
    if r < 0.75:  # pleats
        for y in np.linspace(h * 0.25, h * 0.75, rng.integers(2, 4)):
            cv2.line(tex, (0, int(y)), (w, int(y)), (c * 0.75).tolist(), 3)
    else:  # stripes or dots
        c2 = rng.integers(0, 256, 3).tolist()
        if rng.random() < 0.5:
            for x in range(0, w, int(rng.integers(12, 30))):
                cv2.line(tex, (x, 0), (x - 40, h), c2, int(rng.integers(3, 8)))
        else:
            for _ in range(40):
                cv2.circle(tex, (int(rng.integers(w)), int(rng.integers(h))), 5, c2, -1)
    noise = rng.normal(0, 6, (h, w, 1))
    return np.clip(tex + noise, 0, 255).astype(np.uint8)


def _paste(img, tex, quad, poly, shade):
    """Warp tex onto quad (tl, tr, br, bl), keep only inside poly, shade, blend."""
    h, w = tex.shape[:2]
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    m = cv2.getPerspectiveTransform(src, np.float32(quad))
    warped = cv2.warpPerspective(tex, m, (img.shape[1], img.shape[0]))
    alpha = np.zeros(img.shape[:2], np.float32)
    cv2.fillPoly(alpha, [np.int32(np.round(poly))], 1.0)
    alpha = cv2.GaussianBlur(alpha, (3, 3), 0)[..., None]
    out = img.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * shade * alpha
    return np.clip(out, 0, 255).astype(np.uint8)


def draw_mask(img, f: FaceFrame, rng, mask_photos, top_b):
    """A mask whose top edge sits at face coordinate b = top_b."""
    bottom = rng.uniform(1.75, 2.1)
    wt, wb = rng.uniform(0.9, 1.05), rng.uniform(0.7, 0.9)
    c = f.nose_a * 0.5
    shape = rng.integers(3)
    if shape == 0:  # surgical: straight top, slightly curved bottom
        poly = [f.pt(c - wt, top_b), f.pt(c + wt, top_b), f.pt(c + wb, bottom - 0.2),
                f.pt(c + 0.3, bottom), f.pt(c - 0.3, bottom), f.pt(c - wb, bottom - 0.2)]
    elif shape == 1:  # N95-like: pointed at the nose bridge
        poly = [f.pt(c, top_b - 0.1), f.pt(c + wt, top_b + 0.25), f.pt(c + wb, bottom - 0.3),
                f.pt(c, bottom), f.pt(c - wb, bottom - 0.3), f.pt(c - wt, top_b + 0.25)]
    else:  # cloth: rounded all round
        t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
        mid_b = (top_b + bottom) / 2
        poly = [f.pt(c + wt * np.cos(a), mid_b + (bottom - top_b) / 2 * np.sin(a)) for a in t]
        poly = [p if i >= 12 else p for i, p in enumerate(poly)]
    quad = [f.pt(c - wt, top_b - 0.1), f.pt(c + wt, top_b - 0.1), f.pt(c + wt, bottom), f.pt(c - wt, bottom)]
    shade = rng.uniform(0.7, 1.1)
    out = _paste(img, _texture(rng, mask_photos), quad, np.array(poly), shade)
    if rng.random() < 0.6:  # ear loops
        col = (220, 220, 220) if rng.random() < 0.5 else (40, 40, 40)
        th = max(1, int(f.half_w / 40))
        for s in (-1, 1):
            cv2.line(out, tuple(np.int32(f.pt(c + s * wt, top_b + 0.1))), tuple(np.int32(f.pt(s * 1.05, 0.1))), col, th)
    return out


def draw_hand(img, f: FaceFrame, rng):
    """A hand (skin colour from the cheek) or an object over the mouth."""
    cheek = f.pt(-0.5, 0.6)
    x, y = int(np.clip(cheek[0], 0, img.shape[1] - 1)), int(np.clip(cheek[1], 0, img.shape[0] - 1))
    skin = img[max(0, y - 3): y + 4, max(0, x - 3): x + 4].reshape(-1, 3).mean(0)
    out = img.copy()
    c = f.nose_a * 0.5
    r = rng.random()
    if r < 0.6:  # hand: palm + fingers, sometimes reaching to the nose
        col = np.clip(skin * rng.uniform(0.85, 1.15), 0, 255).tolist()
        centre = f.pt(c + rng.uniform(-0.2, 0.2), rng.uniform(1.0, 1.3))
        ax = (int(f.half_w * rng.uniform(0.45, 0.7)), int(np.linalg.norm(f.down) * rng.uniform(0.45, 0.7)))
        cv2.ellipse(out, tuple(np.int32(centre)), ax, rng.uniform(-30, 30), 0, 360, col, -1)
        side = 1 if rng.random() < 0.5 else -1
        fw = max(2, int(f.half_w * 0.16))
        for k in range(4):
            start = f.pt(c - side * 0.2, 0.75 + 0.17 * k)
            end = f.pt(c + side * rng.uniform(0.7, 1.0), 0.65 + 0.17 * k + rng.uniform(-0.1, 0.1))
            cv2.line(out, tuple(np.int32(start)), tuple(np.int32(end)), col, fw)
        for k in range(3):  # finger gaps
            a = f.pt(c, 0.84 + 0.17 * k)
            b = f.pt(c + side * 0.8, 0.74 + 0.17 * k)
            cv2.line(out, tuple(np.int32(a)), tuple(np.int32(b)), (np.array(col) * 0.75).tolist(), 1)
    else:  # cup, phone, microphone or a sandwich: narrower than a mask, nose visible
        col = rng.integers(0, 256, 3).tolist()
        w = rng.uniform(0.35, 0.65)
        top, bot = rng.uniform(0.75, 0.9), rng.uniform(1.5, 2.5)
        poly = [f.pt(c - w, top), f.pt(c + w, top), f.pt(c + w, bot), f.pt(c - w, bot)]
        cv2.fillPoly(out, [np.int32(poly)], col)
        if rng.random() < 0.5:
            cv2.ellipse(out, tuple(np.int32(f.pt(c, top))), (int(w * f.half_w), int(f.half_w * 0.12)), 0, 0, 360,
                        (np.array(col) * 0.7).tolist(), -1)
    return out


def crop(img, box, rng=None, jitter=True, size=INPUT, margin=CROP_MARGIN):
    """Square crop around the box (with jitter for training), resized to INPUT."""
    x, y, w, h = box
    cx, cy = x + w / 2, y + h / 2
    side = margin * max(w, h)
    if jitter and rng is not None:
        side *= rng.uniform(0.85, 1.25)
        cx += rng.uniform(-0.08, 0.08) * w
        cy += rng.uniform(-0.08, 0.1) * h
    k = size / side
    m = np.float32([[k, 0, size / 2 - cx * k], [0, k, size / 2 - cy * k]])
    return cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def photometric(c, rng, gray=False):
    """Brightness, contrast, saturation, blur, flip; gray=True makes it grayscale."""
    f = c.astype(np.float32)
    f = (f - 128) * rng.uniform(0.7, 1.3) + 128 + rng.uniform(-35, 35)
    g = f.mean(-1, keepdims=True)
    f = g + (f - g) * rng.uniform(0.6, 1.3)
    if gray:
        f = np.repeat(f @ np.float32([0.299, 0.587, 0.114])[:, None], 3, -1)
    out = np.clip(f, 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        out = cv2.GaussianBlur(out, (3, 3), rng.uniform(0.3, 1.2))
    if rng.random() < 0.5:
        out = out[:, ::-1].copy()
    return out


def _local(img, face):
    """Cut a region of 2.2 box sides around the face so drawing stays cheap."""
    x, y, w, h = face["box"]
    s = 1.1 * max(w, h)
    x0, y0 = int(max(0, x + w / 2 - s)), int(max(0, y + h / 2 - s))
    x1, y1 = int(min(img.shape[1], x + w / 2 + s)), int(min(img.shape[0], y + h / 2 + s))
    lms = [[px - x0, py - y0] for px, py in face["landmarks"]]
    return img[y0:y1, x0:x1], {"box": [x - x0, y - y0, w, h], "landmarks": lms}


def occlude(img, face, kind, rng, mask_photos):
    """The region around the face with the occlusion of `kind` drawn; and the face."""
    img, face = _local(img, face)
    fr = FaceFrame(face["box"], face["landmarks"])
    if kind == "masked":
        top = rng.uniform(0.2, 0.45) * fr.nose_b / 0.6
        return draw_mask(img, fr, rng, mask_photos, top), face
    if kind == "below_nose":
        top = fr.nose_b + rng.uniform(0.12, 0.3) if rng.random() < 0.7 else rng.uniform(1.15, 1.35)
        return draw_mask(img, fr, rng, mask_photos, top), face
    if kind == "hand":
        return draw_hand(img, fr, rng), face
    return img, face


def make_sample(img, face, kind, rng, mask_photos, gray=False):
    """One training/evaluation crop (INPUT x INPUT RGB uint8) of the given kind."""
    img, face = _local(img, face)
    fr = FaceFrame(face["box"], face["landmarks"])
    if kind == "masked":
        top = rng.uniform(0.2, 0.45) * fr.nose_b / 0.6
        out = draw_mask(img, fr, rng, mask_photos, top)
    elif kind == "below_nose":
        top = fr.nose_b + rng.uniform(0.12, 0.3) if rng.random() < 0.7 else rng.uniform(1.15, 1.35)
        out = draw_mask(img, fr, rng, mask_photos, top)
    elif kind == "hand":
        out = draw_hand(img, fr, rng)
    else:
        out = img
    return photometric(crop(out, face["box"], rng), rng, gray=gray)
