//! Face detection and mask classification for Facelens, run by tract (pure Rust ONNX).
//!
//! Two models, each loaded and optimised once per process and then shared:
//! - [`FaceDetector`]: UltraFace RFB-640 (boxes already decoded by the network);
//!   the image is letterboxed to 640x480, boxes are filtered by score, merged by
//!   non-maximum suppression and mapped back to the original image's pixels.
//! - [`MaskClassifier`]: our own small CNN (see `models/README.md`); every face of a
//!   photo is cropped with a margin, resized to 64x64 and classified (one face per
//!   run: the plan is optimised for a batch of one, tract's fastest case).
//!
//! Model files are found by the caller (the product resolves a `models/` directory);
//! this crate takes a path or the bytes of the file.

mod classifier;
mod detector;
mod error;
mod letterbox;
mod nms;
mod types;

pub use classifier::{CLASSIFIER_INPUT, CROP_MARGIN, MaskClassifier};
pub use detector::{DETECTOR_HEIGHT, DETECTOR_WIDTH, DetectorConfig, FaceDetector};
pub use error::VisionError;
pub use letterbox::Letterbox;
pub use nms::{iou, non_max_suppression};
pub use types::{Detection, MaskVerdict, PixelBox};
