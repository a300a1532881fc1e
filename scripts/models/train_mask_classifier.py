"""Train our mask classifier and export models/mask-classifier.onnx.

    bash scripts/models/fetch.sh --training
    python scripts/models/faces.py                  # only to rebuild the data list
    python scripts/models/train_mask_classifier.py  # seed fixed below

Needs the packages in scripts/models/requirements.txt (torch on CPU). Uses only the
'train' faces of models/mask-classifier.data.json (split by photo).

Model: input float32 [N,3,64,64], RGB in 0..1 (the graph normalises to -1..1 itself);
output float32 [N,2] softmax probabilities, index 0 = mask, 1 = no mask.
"""

import hashlib
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).parent))
import faces  # noqa: E402
import synth  # noqa: E402

SEED = 20261122
EPOCHS = 12
PER_FACE_COLOUR = 260  # samples per colour-photo face per round
PER_FACE_LFW = 50  # samples per lfw_subset face per round
ROUNDS = 2  # fresh synthetic samples for each half of training
KIND_P = {"masked": 0.45, "bare": 0.22, "below_nose": 0.18, "hand": 0.15}
OUT = faces.MODELS / "mask-classifier.onnx"


def conv(cin, cout, stride=1):
    return [nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class MaskNet(nn.Module):
    """A small plain CNN: 64x64 -> 2 classes (about 190k parameters)."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *conv(3, 24, 2),  # 32x32
            *conv(24, 32), nn.MaxPool2d(2),  # 16x16
            *conv(32, 64), nn.MaxPool2d(2),  # 8x8
            *conv(64, 96), nn.MaxPool2d(2),  # 4x4
            *conv(96, 128),
        )
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(128, 2))

    def forward(self, x):  # x: RGB 0..1
        return self.head(self.features(x * 2.0 - 1.0))


class Exported(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return torch.softmax(self.net(x), dim=1)


def load_mask_photos():
    return [cv2.cvtColor(cv2.imread(str(p)), cv2.COLOR_BGR2RGB) for p in faces.mask_photos()]


def generate(face_list, rng, mask_photos, per_colour, per_lfw, gray_p=0.15):
    xs, ys = [], []
    photos = {}
    kinds, probs = list(KIND_P), np.array(list(KIND_P.values()))
    for f in face_list:
        if f["photo"] not in photos:
            photos[f["photo"]] = faces.load_photo(f["photo"])
        n = per_lfw if "lfw" in f["photo"] else per_colour
        for _ in range(n):
            kind = kinds[rng.choice(len(kinds), p=probs)]
            xs.append(synth.make_sample(photos[f["photo"]], f, kind, rng, mask_photos, gray=rng.random() < gray_p))
            ys.append(synth.LABEL[kind])
    return np.stack(xs), np.array(ys, np.int64)


def to_tensor(x):
    return torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255.0


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(SEED)
    train = [f for f in faces.read_data_list() if f["split"] == "train"]
    mask_photos = load_mask_photos()
    net = MaskNet()
    opt = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    steps_per_epoch = None
    sched = None
    t0 = time.time()
    for rnd in range(ROUNDS):
        x, y = generate(train, rng, mask_photos, PER_FACE_COLOUR, PER_FACE_LFW)
        print(f"round {rnd}: {len(y)} samples, {y.mean():.2f} no-mask, {time.time() - t0:.0f}s", flush=True)
        xt, yt = to_tensor(x), torch.from_numpy(y)
        if sched is None:
            steps_per_epoch = (len(y) + 63) // 64
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=steps_per_epoch * EPOCHS)
        for ep in range(EPOCHS // ROUNDS):
            net.train()
            perm = torch.from_numpy(rng.permutation(len(y)))
            total, correct, loss_sum = 0, 0, 0.0
            for i in range(0, len(y), 64):
                idx = perm[i: i + 64]
                logits = net(xt[idx])
                loss = nn.functional.cross_entropy(logits, yt[idx], label_smoothing=0.05)
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
                loss_sum += loss.item() * len(idx)
                correct += (logits.argmax(1) == yt[idx]).sum().item()
                total += len(idx)
            print(f"  epoch {ep}: loss {loss_sum / total:.4f} acc {correct / total:.4f} {time.time() - t0:.0f}s", flush=True)
    net.eval()
    torch.onnx.export(
        Exported(net), torch.zeros(1, 3, synth.INPUT, synth.INPUT), str(OUT),
        input_names=["input"], output_names=["prob"], opset_version=13,
        dynamic_axes={"input": {0: "n"}, "prob": {0: "n"}}, dynamo=False,
    )
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()
    (OUT.parent / (OUT.name + ".sha256")).write_text(f"{digest}  {OUT.name}\n")
    print(f"wrote {OUT.name} ({OUT.stat().st_size} bytes) sha256 {digest}")


if __name__ == "__main__":
    main()
