//! The local face engine behind face enrolment and face sign-in: camera captures decoded
//! within limits, faces found by the detector with their landmarks, masks judged by our
//! classifier, the head's turn estimated from the landmarks, and SFace embeddings.

use crate::Embeddings;
use facelens_core::analysis::FaceBox;
use facelens_core::faces::{FaceError, SeenFace};
use facelens_imaging::{Limits, RgbImage, decode};
use facelens_vision::{Detection, Embedding, FaceDetector, MaskClassifier, PixelBox};
use std::sync::Arc;

/// How far in front of the eyes the nose tip lies, as a share of the distance between the
/// eyes (a typical adult head): turned by `yaw`, the nose moves sideways by this share times
/// `sin(yaw)` while the eyes close up by `cos(yaw)`.
const NOSE_DEPTH: f32 = 0.6;

/// The detector, the mask classifier and the embedder, loaded once and shared.
#[derive(Clone)]
pub struct FaceEngine {
    detector: FaceDetector,
    classifier: MaskClassifier,
    embeddings: Arc<Embeddings>,
    limits: Limits,
}

/// A face of a capture: what the use cases see, and its landmarks for the embedder.
#[derive(Debug, Clone)]
pub struct EngineFace {
    /// Box, turn, mask.
    pub seen: SeenFace,
    /// Where it is, in pixels.
    pub bbox: PixelBox,
    /// Where the detector put eyes, nose and mouth corners.
    pub landmarks: [[f32; 2]; 5],
}

impl FaceEngine {
    /// An engine on loaded models, decoding captures within `limits`.
    pub fn new(
        detector: FaceDetector,
        classifier: MaskClassifier,
        embeddings: Arc<Embeddings>,
        limits: Limits,
    ) -> Self {
        Self {
            detector,
            classifier,
            embeddings,
            limits,
        }
    }

    /// Decodes a capture.
    ///
    /// # Errors
    /// [`FaceError::Unusable`] when it is not an image within the limits.
    pub fn decode(&self, capture: &[u8]) -> Result<RgbImage, FaceError> {
        decode(capture, &self.limits)
            .map(|decoded| decoded.rgb)
            .map_err(|e| FaceError::Unusable(format!("The capture is not a usable image: {e}")))
    }

    /// The faces of a decoded capture (those the detector gives landmarks for).
    ///
    /// # Errors
    /// [`FaceError::Unavailable`] when a model fails.
    pub fn look(&self, image: &RgbImage) -> Result<Vec<EngineFace>, FaceError> {
        let detections: Vec<Detection> = self
            .detector
            .detect(image)
            .map_err(unavailable)?
            .into_iter()
            .filter(|d| d.landmarks.is_some())
            .collect();
        if detections.is_empty() {
            return Ok(Vec::new());
        }
        let boxes: Vec<_> = detections.iter().map(|d| d.bbox).collect();
        let verdicts = self
            .classifier
            .classify(image, &boxes)
            .map_err(unavailable)?;
        let (width, height) = image.dimensions();
        Ok(detections
            .into_iter()
            .zip(verdicts)
            .filter_map(|(d, verdict)| {
                let landmarks = d.landmarks?;
                let b = d.bbox;
                Some(EngineFace {
                    seen: SeenFace {
                        bbox: FaceBox::from_pixels(b.x, b.y, b.width, b.height, width, height),
                        yaw: yaw_of(&landmarks),
                        masked: verdict.masked,
                        eyes_open: None,
                    },
                    bbox: b,
                    landmarks,
                })
            })
            .collect())
    }

    /// The embedding of the largest face of a decoded capture; `None` without a face.
    ///
    /// # Errors
    /// [`FaceError::Unavailable`] when a model fails.
    pub fn embed_largest(&self, image: &RgbImage) -> Result<Option<Embedding>, FaceError> {
        // The detector alone: the mask verdicts of `look` are not needed here.
        let largest = self
            .detector
            .detect(image)
            .map_err(unavailable)?
            .into_iter()
            .max_by(|a, b| a.bbox.area().total_cmp(&b.bbox.area()));
        largest
            .map(|face| self.embeddings.embed(image, &face.bbox, face.landmarks))
            .transpose()
            .map_err(unavailable)
    }
}

fn unavailable(err: impl std::fmt::Display) -> FaceError {
    FaceError::Unavailable(err.to_string())
}

/// The head's turn in degrees from five landmarks (left eye, right eye, nose, mouth corners,
/// as seen): the nose tip's sideways offset from between the eyes, over the distance between
/// the eyes, is `NOSE_DEPTH * tan(yaw)`. Positive when the nose points to the right of the
/// picture.
pub fn yaw_of(landmarks: &[[f32; 2]; 5]) -> f32 {
    let [left, right, nose, _, _] = landmarks;
    let eyes = ((right[0] - left[0]).powi(2) + (right[1] - left[1]).powi(2)).sqrt();
    if eyes <= f32::EPSILON {
        return 0.0;
    }
    let offset = nose[0] - (left[0] + right[0]) / 2.0;
    (offset / eyes / NOSE_DEPTH).atan().to_degrees()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nose_between_the_eyes_faces_the_camera_and_one_aside_is_a_turn() {
        let straight = [
            [40.0, 50.0],
            [80.0, 50.0],
            [60.0, 70.0],
            [45.0, 90.0],
            [75.0, 90.0],
        ];
        assert!(yaw_of(&straight).abs() < 0.01);
        // The nose 12 px right of the middle of eyes 40 px apart: atan(0.3 / 0.6) = 26.6 degrees.
        let turned = [
            [40.0, 50.0],
            [80.0, 50.0],
            [72.0, 70.0],
            [45.0, 90.0],
            [75.0, 90.0],
        ];
        assert!((yaw_of(&turned) - 26.57).abs() < 0.1, "{}", yaw_of(&turned));
        let other_way = [
            [40.0, 50.0],
            [80.0, 50.0],
            [48.0, 70.0],
            [45.0, 90.0],
            [75.0, 90.0],
        ];
        assert!((yaw_of(&other_way) + 26.57).abs() < 0.1);
        assert_eq!(yaw_of(&[[1.0, 1.0]; 5]), 0.0);
    }
}
