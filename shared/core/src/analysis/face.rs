//! One face in a photo: where it is, how sure the detector is, the mask verdict, and the
//! attributes Rekognition reports (the local detector reports none).

use serde::{Deserialize, Serialize};

/// A box as fractions (0..1) of the image's width and height, as Rekognition gives them; the
/// client scales it to whatever size it shows the photo at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FaceBox {
    /// Left edge.
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
}

impl FaceBox {
    /// The box in pixels of a `width` x `height` image: `(x, y, w, h)`.
    pub fn to_pixels(self, width: u32, height: u32) -> (f32, f32, f32, f32) {
        let (w, h) = (width as f32, height as f32);
        (self.left * w, self.top * h, self.width * w, self.height * h)
    }

    /// The fractional box for a pixel box in a `width` x `height` image, clipped to it.
    pub fn from_pixels(x: f32, y: f32, w: f32, h: f32, width: u32, height: u32) -> Self {
        let (iw, ih) = (width.max(1) as f32, height.max(1) as f32);
        let left = (x / iw).clamp(0.0, 1.0);
        let top = (y / ih).clamp(0.0, 1.0);
        let right = ((x + w) / iw).clamp(0.0, 1.0);
        let bottom = ((y + h) / ih).clamp(0.0, 1.0);
        Self {
            left,
            top,
            width: right - left,
            height: bottom - top,
        }
    }
}

/// Our classifier's verdict for one face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MaskVerdict {
    /// Whether the face wears a mask over nose and mouth.
    pub masked: bool,
    /// Confidence in that verdict, 0..100.
    pub confidence: f32,
}

/// A yes/no attribute with its confidence (0..100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Flag {
    /// The value.
    pub value: bool,
    /// Confidence, 0..100.
    pub confidence: f32,
}

/// One emotion with its confidence (0..100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Emotion {
    /// `HAPPY`, `SAD`, `ANGRY`, `CONFUSED`, `DISGUSTED`, `SURPRISED`, `CALM`, `FEAR`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Confidence, 0..100.
    pub confidence: f32,
}

/// An estimated age range in years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AgeRange {
    /// Lowest estimate.
    pub low: u32,
    /// Highest estimate.
    pub high: u32,
}

/// What Rekognition says about a face beyond its box.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaceAttributes {
    /// Emotions, most likely first.
    pub emotions: Vec<Emotion>,
    /// Smiling.
    #[schema(required = true)]
    pub smile: Option<Flag>,
    /// Eyes open.
    #[schema(required = true)]
    pub eyes_open: Option<Flag>,
    /// Mouth open.
    #[schema(required = true)]
    pub mouth_open: Option<Flag>,
    /// Wearing eyeglasses.
    #[schema(required = true)]
    pub eyeglasses: Option<Flag>,
    /// Wearing sunglasses.
    #[schema(required = true)]
    pub sunglasses: Option<Flag>,
    /// Has a mustache.
    #[schema(required = true)]
    pub mustache: Option<Flag>,
    /// Has a beard.
    #[schema(required = true)]
    pub beard: Option<Flag>,
    /// Age range.
    #[schema(required = true)]
    pub age_range: Option<AgeRange>,
    /// Whether something covers part of the face (Rekognition's `FaceOccluded`).
    #[schema(required = true)]
    pub face_occluded: Option<Flag>,
    /// Which way the head is turned. Absent from records stored before it was added.
    #[serde(default)]
    #[schema(required = true)]
    pub pose: Option<Pose>,
    /// How bright and sharp the face is. Absent from records stored before it was added.
    #[serde(default)]
    #[schema(required = true)]
    pub quality: Option<Quality>,
}

/// The rotation of a head, in degrees (Rekognition reports each between -180 and 180).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Pose {
    /// Tilt towards a shoulder, in the picture's plane.
    pub roll: f32,
    /// Turn to the left or right.
    pub yaw: f32,
    /// Nod up or down.
    pub pitch: f32,
}

/// How usable the pixels of a face are, each from 0 (worst) to 100 (best).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Quality {
    /// Brightness: low means a dark face, high a bright one.
    pub brightness: f32,
    /// Sharpness: low means a blurred face.
    pub sharpness: f32,
}

/// One analysed face.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FaceResult {
    /// Where it is.
    #[serde(rename = "box")]
    pub bbox: FaceBox,
    /// Detection confidence, 0..100.
    pub confidence: f32,
    /// Whether the detection confidence is under the alert threshold.
    pub low_confidence: bool,
    /// The mask verdict.
    pub mask: MaskVerdict,
    /// Attributes, when the detector gives them (`null` for the local detector).
    #[schema(required = true)]
    pub attributes: Option<FaceAttributes>,
    /// How much the face looks like the reference face, when the photo was compared with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub likeness: Option<Likeness>,
}

/// How much one face looks like the reference face of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Likeness {
    /// Similarity, 0..100, on the scale of the engine that measured it (Rekognition's
    /// `Similarity`, or the cosine of SFace embeddings times 100).
    pub similarity: f32,
    /// Whether the engine deems it the same person (its own threshold on `similarity`).
    pub same_person: bool,
}

impl Likeness {
    /// The likeness of a `similarity` (clamped to 0..100) on an engine that deems faces the
    /// same person from `threshold` on the same scale.
    pub fn at(similarity: f32, threshold: f32) -> Self {
        Self {
            similarity: similarity.clamp(0.0, 100.0),
            same_person: similarity >= threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_stored_before_pose_and_quality_still_read() {
        let stored = r#"{"emotions":[{"type":"CALM","confidence":91.5}],
            "smile":{"value":false,"confidence":99.0},"eyesOpen":null,"mouthOpen":null,
            "eyeglasses":null,"sunglasses":null,"mustache":null,"beard":null,
            "ageRange":{"low":26,"high":43},"faceOccluded":null}"#;
        let read: FaceAttributes = serde_json::from_str(stored).expect("old record reads");
        assert_eq!(read.pose, None);
        assert_eq!(read.quality, None);
        assert_eq!(read.age_range, Some(AgeRange { low: 26, high: 43 }));
    }

    #[test]
    fn a_likeness_is_clamped_to_0_to_100_and_same_from_the_threshold() {
        assert_eq!(
            Likeness::at(-12.0, 45.0),
            Likeness {
                similarity: 0.0,
                same_person: false
            }
        );
        assert!(Likeness::at(45.0, 45.0).same_person);
        assert!(!Likeness::at(44.9, 45.0).same_person);
        assert_eq!(Likeness::at(130.0, 80.0).similarity, 100.0);
    }

    #[test]
    fn pose_and_quality_round_trip() {
        let attributes = FaceAttributes {
            pose: Some(Pose {
                roll: -1.5,
                yaw: -11.0,
                pitch: -5.0,
            }),
            quality: Some(Quality {
                brightness: 73.8,
                sharpness: 86.9,
            }),
            ..FaceAttributes::default()
        };
        let json = serde_json::to_value(&attributes).expect("serializes");
        assert_eq!(json["pose"]["yaw"], serde_json::json!(-11.0));
        assert_eq!(json["quality"]["sharpness"], serde_json::json!(86.9_f32));
        let back: FaceAttributes = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, attributes);
    }
}
