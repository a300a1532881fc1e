"""The three face detectors under onnxruntime, with the pre- and post-processing each expects.

Shared by detector_eval.py and embedding_eval.py. Every detector's `run(rgb, threshold)`
takes an RGB uint8 image that is already the network input's size (or smaller: it is
padded at the bottom and right) and returns faces as dicts
`{"score", "box": [x, y, w, h], "landmarks": [[x, y] * 5] or None}` in that image's
pixels, after NMS. Landmark order: the eye on the image's left, the other eye, nose tip,
the mouth corner on the image's left, the other mouth corner (the ArcFace template's order).

`detect_full` fits a photo into one network input (long side 640); `detect_tiled` adds a
second pass over tiles of the (optionally rescaled) photo and merges everything by NMS.
`letterbox_pass`, `capped_plan` and `capped_tiles` reproduce the product's own scheme
(shared/vision/src/detector.rs, letterbox.rs, tiles.rs: centred letterbox with image-rs's
Triangle resize, tiles capped at about 16 per photo) for detector_eval.py's `capped`.

  UltraFace RFB-640  models/ultraface-rfb-640.onnx  input [1,3,480,640] RGB (x-127)/128,
                     letterboxed on grey 127; scores [1,17640,2] (softmax), boxes [1,17640,4]
                     (x0,y0,x1,y1 in 0..1, priors decoded in the graph); no landmarks.
  CenterFace         models/centerface.onnx  input [1,3,H,W] BGR 0..255, H and W multiples of
                     32 (declared 10x3x32x32, made symbolic here); outputs at stride 4: heatmap
                     [1,1,H/4,W/4] (sigmoid), scale [1,2,..] (log h, log w / 4), offset [1,2,..]
                     (dy, dx), landmarks [1,10,..] (y, x per point, relative to the box).
  YuNet 2023mar      models/yunet-640.onnx  input "input" [1,3,640,640] BGR 0..255 (any multiple
                     of 32 works: made symbolic here); per stride s in 8/16/32, row-major over the
                     (H/s) x (W/s) grid: cls_s, obj_s [1,N,1] (sigmoid), bbox_s [1,N,4]
                     (dx, dy, log w, log h), kps_s [1,N,10] (dx, dy per point); score =
                     sqrt(cls * obj); centre = (col + dx, row + dy) * s; size = exp(.) * s;
                     point = (col + dx, row + dy) * s.
"""

import os
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "models"
NMS_IOU = 0.3
THREADS = int(os.environ.get("FACELENS_ORT_THREADS", "1"))


def _session(path: Path, symbolic: bool):
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(path))
    if symbolic:  # fully convolutional: let batch and spatial dims follow the input
        for k, name in ((0, "n"), (2, "h"), (3, "w")):
            model.graph.input[0].type.tensor_type.shape.dim[k].dim_param = name
        for vi in model.graph.output:
            vi.type.tensor_type.ClearField("shape")
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    opts.intra_op_num_threads = THREADS
    return ort.InferenceSession(model.SerializeToString(), opts)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """IoU of boxes [x, y, w, h]: a (n, 4) against b (m, 4)."""
    a, b = np.asarray(a, np.float64).reshape(-1, 4), np.asarray(b, np.float64).reshape(-1, 4)
    ax2, ay2 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx2, by2 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.clip(np.minimum(ax2[:, None], bx2[None]) - np.maximum(a[:, None, 0], b[None, :, 0]), 0, None)
    ih = np.clip(np.minimum(ay2[:, None], by2[None]) - np.maximum(a[:, None, 1], b[None, :, 1]), 0, None)
    inter = iw * ih
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None] - inter
    return inter / np.maximum(union, 1e-9)


def nms(faces: list[dict], iou: float = NMS_IOU) -> list[dict]:
    """Greedy NMS: highest score first; drop a face overlapping a kept one at IoU > iou."""
    faces = sorted(faces, key=lambda f: -f["score"])
    kept: list[dict] = []
    for f in faces:
        if not kept or iou_matrix([f["box"]], [k["box"] for k in kept]).max() <= iou:
            kept.append(f)
    return kept


def _pad32(rgb: np.ndarray, bgr: bool) -> np.ndarray:
    """NCHW float32 blob, 0..255, zero-padded at the bottom/right to multiples of 32."""
    h, w = rgb.shape[:2]
    ph, pw = -(-h // 32) * 32, -(-w // 32) * 32
    canvas = np.zeros((ph, pw, 3), np.float32)
    canvas[:h, :w] = rgb[:, :, ::-1] if bgr else rgb
    return canvas.transpose(2, 0, 1)[None].copy()


class UltraFace:
    name = "UltraFace"
    input_size = (640, 480)  # w, h
    default_threshold = 0.7

    def __init__(self):
        self.sess = _session(MODELS / "ultraface-rfb-640.onnx", symbolic=False)

    def run(self, rgb: np.ndarray, threshold: float) -> list[dict]:
        h, w = rgb.shape[:2]
        k = min(640 / w, 480 / h)
        nw, nh = max(1, round(w * k)), max(1, round(h * k))
        canvas = np.full((480, 640, 3), 127, np.uint8)
        x0, y0 = (640 - nw) // 2, (480 - nh) // 2
        interp = cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR
        canvas[y0 : y0 + nh, x0 : x0 + nw] = rgb if k == 1 else cv2.resize(rgb, (nw, nh), interpolation=interp)
        blob = ((canvas.astype(np.float32) - 127) / 128).transpose(2, 0, 1)[None]
        scores, boxes = self.sess.run(None, {"input": blob})
        s, b = scores[0, :, 1], boxes[0]
        keep = s >= threshold
        out = []
        for sc, (bx0, by0, bx1, by1) in zip(s[keep], b[keep]):
            px0, py0 = (bx0 * 640 - x0) / k, (by0 * 480 - y0) / k
            px1, py1 = (bx1 * 640 - x0) / k, (by1 * 480 - y0) / k
            out.append({"score": float(sc), "box": [px0, py0, px1 - px0, py1 - py0], "landmarks": None})
        return nms(out)


class CenterFace:
    name = "CenterFace"
    default_threshold = 0.5

    def __init__(self):
        self.sess = _session(MODELS / "centerface.onnx", symbolic=True)
        self.input_name = self.sess.get_inputs()[0].name

    def run(self, rgb: np.ndarray, threshold: float) -> list[dict]:
        heat, sizes, offs, lms = self.sess.run(None, {self.input_name: _pad32(rgb, bgr=True)})
        ys, xs = np.where(heat[0, 0] > threshold)
        sc = heat[0, 0, ys, xs]
        bh, bw = np.exp(sizes[0, 0, ys, xs]) * 4, np.exp(sizes[0, 1, ys, xs]) * 4
        cx, cy = (xs + offs[0, 1, ys, xs] + 0.5) * 4, (ys + offs[0, 0, ys, xs] + 0.5) * 4
        x1, y1 = cx - bw / 2, cy - bh / 2
        out = []
        for i in range(len(sc)):
            pts = [[float(x1[i] + lms[0, 2 * j + 1, ys[i], xs[i]] * bw[i]),
                    float(y1[i] + lms[0, 2 * j, ys[i], xs[i]] * bh[i])] for j in range(5)]
            out.append({"score": float(sc[i]), "box": [float(x1[i]), float(y1[i]), float(bw[i]), float(bh[i])],
                        "landmarks": pts})
        return nms(out)


class YuNet:
    name = "YuNet"
    default_threshold = 0.6

    def __init__(self):
        self.sess = _session(MODELS / "yunet-640.onnx", symbolic=True)

    def run(self, rgb: np.ndarray, threshold: float) -> list[dict]:
        blob = _pad32(rgb, bgr=True)
        ph, pw = blob.shape[2:]
        outs = dict(zip([o.name for o in self.sess.get_outputs()], self.sess.run(None, {"input": blob})))
        faces = []
        for s in (8, 16, 32):
            cols = pw // s
            cls = np.clip(outs[f"cls_{s}"][0, :, 0], 0, 1)
            obj = np.clip(outs[f"obj_{s}"][0, :, 0], 0, 1)
            score = np.sqrt(cls * obj)
            idx = np.where(score >= threshold)[0]
            if not len(idx):
                continue
            r, c = (idx // cols).astype(np.float32), (idx % cols).astype(np.float32)
            bb, kp = outs[f"bbox_{s}"][0, idx], outs[f"kps_{s}"][0, idx]
            cx, cy = (c + bb[:, 0]) * s, (r + bb[:, 1]) * s
            w, h = np.exp(bb[:, 2]) * s, np.exp(bb[:, 3]) * s
            for i in range(len(idx)):
                pts = [[float((kp[i, 2 * j] + c[i]) * s), float((kp[i, 2 * j + 1] + r[i]) * s)] for j in range(5)]
                faces.append({"score": float(score[idx[i]]),
                              "box": [float(cx[i] - w[i] / 2), float(cy[i] - h[i] / 2), float(w[i]), float(h[i])],
                              "landmarks": pts})
        return nms(faces)


def _scale_face(f: dict, k: float, dx: float = 0.0, dy: float = 0.0) -> dict:
    x, y, w, h = f["box"]
    lm = f["landmarks"]
    return {
        "score": f["score"],
        "box": [x / k + dx, y / k + dy, w / k, h / k],
        "landmarks": None if lm is None else [[px / k + dx, py / k + dy] for px, py in lm],
    }


def resize(rgb: np.ndarray, k: float) -> np.ndarray:
    if k == 1:
        return rgb
    h, w = rgb.shape[:2]
    size = (max(1, round(w * k)), max(1, round(h * k)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)


def detect_full(det, rgb: np.ndarray, threshold: float, long_side: int = 640) -> list[dict]:
    """One pass: the photo scaled to fit 640x480 (4:3) / long side 640, area-averaged."""
    h, w = rgb.shape[:2]
    k = min(long_side / w, long_side * 3 / 4 / h) if w >= h else min(long_side * 3 / 4 / w, long_side / h)
    k = min(k, 1.0)
    return [_scale_face(f, k) for f in det.run(resize(rgb, k), threshold)]


def tile_origins(length: int, tile: int, overlap: int) -> list[int]:
    """Tile starts covering 0..length with at least `overlap` pixels shared; last flush with the end."""
    if length <= tile:
        return [0]
    n = -(-(length - overlap) // (tile - overlap))
    return [round(i * (length - tile) / (n - 1)) for i in range(n)]


def detect_tiled(det, rgb: np.ndarray, threshold: float, scale: float = 1.0, tile=(640, 480),
                 overlap: int = 160, full: list[dict] | None = None) -> list[dict]:
    """Full pass + tiles of the photo resized by `scale` (tile w x h, `overlap` px shared).

    A tile's face is dropped when it touches one of the tile's inner edges (within 2 px):
    the neighbouring tile, which overlaps by more than such a face is wide, sees it whole;
    and when it is wider or higher than overlap - 8 px: a face that large may be cut by
    every tile (a tile then reports the part it sees), and the full pass finds it anyway.
    Everything is merged by NMS at IoU 0.3.
    """
    if full is None:
        full = detect_full(det, rgb, threshold)
    img = resize(rgb, scale)
    h, w = img.shape[:2]
    tw, th = tile
    found = list(full)
    xs, ys = tile_origins(w, tw, overlap), tile_origins(h, th, overlap)
    for y0 in ys:
        for x0 in xs:
            part = img[y0 : y0 + th, x0 : x0 + tw]
            ph, pw = part.shape[:2]
            for f in det.run(part, threshold):
                bx, by, bw, bh = f["box"]
                if max(bw, bh) > overlap - 8:
                    continue
                if (x0 > 0 and bx < 2) or (y0 > 0 and by < 2) or (x0 + tw < w and bx + bw > pw - 2) \
                        or (y0 + th < h and by + bh > ph - 2):
                    continue
                found.append(_scale_face(f, scale, x0 / scale, y0 / scale))
    return nms(found)


def n_tiles(shape, scale: float, tile=(640, 480), overlap: int = 160) -> int:
    h, w = round(shape[0] * scale), round(shape[1] * scale)
    return len(tile_origins(w, tile[0], overlap)) * len(tile_origins(h, tile[1], overlap))


# --- The product's scheme (`capped`): shared/vision/src/detector.rs `FaceDetector::detect`,
# letterbox.rs and tiles.rs, reproduced step by step (f32 arithmetic where the Rust code
# has it, rounding half away from zero like Rust's `f32::round`).

NET_W, NET_H = 640, 480


def _round(x) -> int:
    return int(np.floor(np.float64(x) + 0.5))


@lru_cache(maxsize=64)
def _triangle_weights(n_in: int, n_out: int):
    """image-rs 0.25 `resize` with `FilterType::Triangle` along one axis, as a sparse matrix:
    kernel max(0, 1 - |x|) widened by the downscale ratio, weights normalised per output."""
    import scipy.sparse

    ratio = np.float32(n_in) / np.float32(n_out)
    sratio = max(ratio, np.float32(1.0))
    rows, cols, vals = [], [], []
    for o in range(n_out):
        centre = (np.float32(o) + np.float32(0.5)) * ratio
        left = min(max(int(np.floor(centre - sratio)), 0), n_in - 1)
        right = min(max(int(np.ceil(centre + sratio)), left + 1), n_in)
        i = np.arange(left, right, dtype=np.float32)
        w = np.maximum(0.0, 1.0 - np.abs((i - (centre - np.float32(0.5))) / sratio)).astype(np.float32)
        w /= w.sum()
        rows += [o] * len(w)
        cols += list(range(left, right))
        vals += list(w)
    return scipy.sparse.csr_matrix((np.array(vals, np.float32), (rows, cols)), shape=(n_out, n_in))


def triangle_resize(rgb: np.ndarray, nw: int, nh: int) -> np.ndarray:
    """`image::imageops::resize(img, nw, nh, FilterType::Triangle)`: vertical pass in float,
    then horizontal, rounded to the nearest value and clamped to 0..255 (a copy when the
    size is unchanged)."""
    h, w = rgb.shape[:2]
    if (nw, nh) == (w, h):
        return rgb.copy()
    tmp = _triangle_weights(h, nh) @ rgb.reshape(h, w * 3).astype(np.float32)  # nh x (w*3)
    tmp = tmp.reshape(nh, w, 3).transpose(1, 0, 2).reshape(w, nh * 3)
    out = (_triangle_weights(w, nw) @ tmp).reshape(nw, nh, 3).transpose(1, 0, 2)
    return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)


def letterbox_pass(det, rgb: np.ndarray, region, threshold: float) -> list[dict]:
    """`FaceDetector::detect_in`: `region` (x, y, w, h) of the photo letterboxed (centred, zero
    fill, Triangle resize) into 640x480, one pass, faces mapped back to the photo, clamped
    to it, and dropped when their short side is under 8 px."""
    H, W = rgb.shape[:2]
    rx, ry, rw, rh = region
    scale = min(np.float32(NET_W) / np.float32(rw), np.float32(NET_H) / np.float32(rh))
    pad_x = np.floor((np.float32(NET_W) - np.float32(_round(np.float32(rw) * scale))) / np.float32(2))
    pad_y = np.floor((np.float32(NET_H) - np.float32(_round(np.float32(rh) * scale))) / np.float32(2))
    nw = min(max(_round(np.float32(rw) * scale), 1), NET_W)
    nh = min(max(_round(np.float32(rh) * scale), 1), NET_H)
    canvas = np.zeros((NET_H, NET_W, 3), np.uint8)
    canvas[int(pad_y) : int(pad_y) + nh, int(pad_x) : int(pad_x) + nw] = \
        triangle_resize(rgb[ry : ry + rh, rx : rx + rw], nw, nh)
    scale, pad_x, pad_y = float(scale), float(pad_x), float(pad_y)

    def back(x, y):
        return (x - pad_x) / scale + rx, (y - pad_y) / scale + ry

    out = []
    for f in det.run(canvas, threshold):
        bx, by, bw, bh = f["box"]
        x0, y0 = back(bx, by)
        x1, y1 = back(bx + bw, by + bh)
        x0, x1 = min(max(x0, 0.0), W), min(max(x1, 0.0), W)
        y0, y1 = min(max(y0, 0.0), H), min(max(y1, 0.0), H)
        if min(x1 - x0, y1 - y0) < 8.0:
            continue
        out.append({"score": f["score"], "box": [x0, y0, x1 - x0, y1 - y0],
                    "landmarks": [list(back(px, py)) for px, py in f["landmarks"]]})
    return out


def tile_starts(length: int, side: int, overlap: int) -> list[int]:
    """tiles.rs `starts`: 0, step, 2 step, ... below length - side, then length - side."""
    if length <= side:
        return [0]
    step = max(side - overlap, 1)
    last = length - side
    out = list(range(0, last, step))
    return out + [last]


def capped_plan(width: int, height: int, max_tiles: float = 16, smallest_face_px: float = 40.0,
                network_face_px: float = 40.0, overlap_px: float = 160.0):
    """The tiles `FaceDetector::detect` searches: (tile_scale, list of (x, y, w, h), largest
    face kept from a tile in photo pixels); no tiles when tile_scale <= 1.5 x the whole
    pass's scale. max_tiles=inf: tiles at the wanted scale (1.0), however many."""
    f = np.float32
    whole_scale = min(f(NET_W) / f(width), f(NET_H) / f(height))
    wanted = f(network_face_px) / f(smallest_face_px)
    affordable = np.sqrt(f(max_tiles) * (f(NET_W) - f(overlap_px)) * (f(NET_H) - f(overlap_px))
                         / (f(width) * f(height))) if np.isfinite(max_tiles) else f(np.inf)
    tile_scale = min(wanted, affordable, f(1.0))
    if not tile_scale > whole_scale * f(1.5):
        return float(tile_scale), [], None
    tw, th = _round(f(NET_W) / tile_scale), _round(f(NET_H) / tile_scale)
    ov = _round(f(overlap_px) / tile_scale)
    regions = [(x, y, min(tw, width), min(th, height))
               for y in tile_starts(height, th, ov) for x in tile_starts(width, tw, ov)]
    return float(tile_scale), regions, float(f(overlap_px) / tile_scale)


def region_cuts(region, box, width: int, height: int, edge_px: float = 1.0) -> bool:
    """tiles.rs `Region::cuts`: the box reaches an edge of the tile that lies inside the photo."""
    x, y, w, h = region
    bx, by, bw, bh = box
    return ((x > 0 and bx <= x + edge_px) or (y > 0 and by <= y + edge_px)
            or (x + w < width and bx + bw >= x + w - edge_px)
            or (y + h < height and by + bh >= y + h - edge_px))


def capped_tiles(det, rgb: np.ndarray, threshold: float, plan) -> list[dict]:
    """The tile passes of `FaceDetector::detect` for a plan from `capped_plan`: faces below
    the largest size and not cut by an inner tile edge, marked `tile`, not yet merged."""
    H, W = rgb.shape[:2]
    _, regions, largest = plan
    found = []
    for region in regions:
        for f in letterbox_pass(det, rgb, region, threshold):
            if max(f["box"][2], f["box"][3]) < largest and not region_cuts(region, f["box"], W, H):
                found.append(dict(f, tile=True))
    return found
