//! Face detection and mask classification for Facelens, run by tract (pure Rust ONNX).
//!
//! Three models, each loaded and optimised once per process and then shared:
//! - [`FaceDetector`]: YuNet with five landmarks per face; the image is letterboxed
//!   to 640x480, the anchors are decoded into boxes, merged by non-maximum
//!   suppression and mapped back to the original image's pixels, and a large photo is
//!   searched again on tiles so its small faces are not lost to the downscale.
//! - [`MaskClassifier`]: our own small CNN (see `models/README.md`); every face of a
//!   photo is cropped with a margin, resized to 64x64 and classified (one face per
//!   run: the plan is optimised for a batch of one, tract's fastest case).
//!
//! - [`FaceEmbedder`]: SFace, 128-d embeddings of faces aligned from five landmarks,
//!   compared by cosine similarity (face identity); [`RegionLandmarks`] (CenterFace on the
//!   region around one face) gives landmarks that hold under a mask.
//!
//! Model files are found by the caller (the product resolves a `models/` directory);
//! this crate takes a path or the bytes of the file.

mod classifier;
mod detector;
mod embedder;
mod error;
mod landmarks;
mod letterbox;
mod model;
mod nms;
mod tiles;
mod types;

pub use classifier::{CLASSIFIER_INPUT, CROP_MARGIN, MaskClassifier};
pub use detector::{DETECTOR_HEIGHT, DETECTOR_WIDTH, DetectorConfig, FaceDetector, RawDetections};
pub use embedder::{
    ALIGNED_SIZE, EMBEDDING_LEN, Embedding, FaceEmbedder, SAME_PERSON_THRESHOLD, Similarity,
    TEMPLATE, align,
};
pub use error::VisionError;
pub use landmarks::{REGION_SCALE, REGION_SIZE, RegionLandmarks};
pub use letterbox::Letterbox;
pub use nms::{iou, non_max_suppression};
pub use tiles::{Region, cuts, tiles};
pub use types::{Detection, MaskVerdict, PixelBox};
