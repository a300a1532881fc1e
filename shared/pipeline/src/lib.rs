//! The photo analyzer behind the `PhotoAnalyzer` port: bounded decoding with EXIF orientation
//! (`facelens-imaging`), a face finder (the local ONNX detector, or Rekognition on AWS), the
//! mask judge (our ONNX classifier, all faces of a photo in one batch), then the green and red
//! boxes, the annotated JPEG and its thumbnail; and, for a photo compared with a reference photo,
//! a face matcher (SFace embeddings locally, Rekognition `CompareFaces` on AWS). CPU work runs on
//! tokio's blocking pool.

mod analyzer;
mod faces;
mod reading;
mod vision;

pub use analyzer::{
    DISPLAY_SIDE, FaceFinder, FaceMatcher, FoundFace, MaskJudge, Pipeline, PixelRect, StoredImage,
};
pub use faces::{EngineFace, FaceEngine, yaw_of};
pub use vision::{ClassifierJudge, DetectorFinder, EmbeddingMatcher, Embeddings, likeness};
