//! Faces as a way in: the port of the engine that enrols a person's face and verifies a
//! camera capture against it (SFace embeddings in the embedded database locally, a Rekognition
//! collection on AWS), and the rules a capture must meet. The use cases are on
//! [`AuthService`](crate::auth::AuthService) (enrolment, face sign-in with its liveness check,
//! throttled and audited like passwords) and the purge of a deleted account removes its face.
//!
//! Face data is biometric: an engine keeps it encrypted at rest, never logs it, never returns
//! it, and forgets it with the account.

use crate::analysis::{FaceBox, Likeness};
use crate::domain::Username;
use async_trait::async_trait;

/// The largest capture accepted, in bytes (a 640x480 camera frame as JPEG is about 60 KB).
pub const MAX_CAPTURE_BYTES: usize = 512 * 1024;
/// How many captures a face sign-in may send, and must send.
pub const SIGN_IN_CAPTURES: std::ops::RangeInclusive<usize> = 2..=6;
/// How far (in degrees) the head must turn between the captures of one face sign-in.
pub const MIN_YAW_SPREAD: f32 = 12.0;
/// How far from straight (in degrees) an enrolment capture may look.
pub const MAX_ENROL_YAW: f32 = 20.0;
/// The smallest face of an enrolment capture, as a share of the capture's width.
pub const MIN_ENROL_WIDTH: f32 = 0.15;

/// One face as the engine saw it in a capture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SeenFace {
    /// Where it is, as fractions of the capture.
    pub bbox: FaceBox,
    /// How far the head is turned, in degrees (0: facing the camera; the sign tells the side).
    pub yaw: f32,
    /// Whether something (a mask) covers nose and mouth.
    pub masked: bool,
    /// Whether the eyes are open, when the engine can tell.
    pub eyes_open: Option<bool>,
}

/// Why the engine could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum FaceError {
    /// The capture itself cannot be used (not an image, too large); the text is for the person.
    #[error("{0}")]
    Unusable(String),
    /// The engine or its store failed; the text goes to the log only.
    #[error("face engine unavailable: {0}")]
    Unavailable(String),
}

/// The face engine and its store of enrolled faces, one face per account. Enrolments are
/// keyed by the account's name and bound to its id, so a later account of the same name never
/// matches an earlier account's face.
#[async_trait]
pub trait FaceVault: Send + Sync {
    /// The faces in a capture (a JPEG or PNG camera frame).
    ///
    /// # Errors
    /// [`FaceError::Unusable`] for a capture that is not a usable image.
    async fn look(&self, capture: &[u8]) -> Result<Vec<SeenFace>, FaceError>;

    /// Enrols the only face of `capture` for the account `owner` (id `account_id`), replacing
    /// an earlier enrolment. Callers check the capture with [`FaceVault::look`] first.
    ///
    /// # Errors
    /// [`FaceError::Unusable`] when the engine finds no usable face after all.
    async fn enrol(
        &self,
        owner: &Username,
        account_id: &str,
        capture: &[u8],
    ) -> Result<(), FaceError>;

    /// How much the face of `capture` looks like the enrolled face of `owner`, compared with
    /// that face only; `None` when `owner` (with this `account_id`) has none enrolled.
    ///
    /// # Errors
    /// [`FaceError::Unusable`] for a capture without a usable face.
    async fn verify(
        &self,
        owner: &Username,
        account_id: &str,
        capture: &[u8],
    ) -> Result<Option<Likeness>, FaceError>;

    /// Whether `owner` (with this `account_id`) has a face enrolled.
    ///
    /// # Errors
    /// [`FaceError::Unavailable`] when the store fails.
    async fn is_enrolled(&self, owner: &Username, account_id: &str) -> Result<bool, FaceError>;

    /// Forgets `owner`'s face, whatever account it was enrolled by; forgetting none succeeds.
    ///
    /// # Errors
    /// [`FaceError::Unavailable`] when the store fails.
    async fn remove(&self, owner: &Username) -> Result<(), FaceError>;
}

/// Checks an enrolment capture: one face, big enough, facing the camera, bare, eyes open.
///
/// # Errors
/// What is wrong with it, in words for the person in front of the camera.
pub fn check_enrolment(faces: &[SeenFace]) -> Result<(), String> {
    let face = match faces {
        [] => return Err("No face was found: look into the camera in good light.".into()),
        [face] => face,
        _ => return Err("More than one face is in the picture: enrol alone.".into()),
    };
    if face.bbox.width < MIN_ENROL_WIDTH {
        return Err("Your face is too small in the picture: come closer to the camera.".into());
    }
    if face.yaw.abs() > MAX_ENROL_YAW {
        return Err("Look straight into the camera.".into());
    }
    if face.masked {
        return Err("Take off your mask (or anything covering nose and mouth).".into());
    }
    if face.eyes_open == Some(false) {
        return Err("Keep your eyes open.".into());
    }
    Ok(())
}

/// Checks the captures of a face sign-in for life: one bare face in each (a mask hides what
/// tells people apart), and the head turned between them by at least [`MIN_YAW_SPREAD`]
/// degrees (a printed photo does not turn).
///
/// # Errors
/// What is wrong, in words for the person in front of the camera.
pub fn check_liveness(captures: &[Vec<SeenFace>]) -> Result<(), String> {
    let mut yaws = Vec::with_capacity(captures.len());
    for faces in captures {
        match faces.as_slice() {
            [face] if face.masked => {
                return Err("Take off your mask to sign in with your face.".into());
            }
            [face] => yaws.push(face.yaw),
            [] => return Err("Your face was lost in one of the pictures: stay in view.".into()),
            _ => return Err("More than one face is in view: sign in alone.".into()),
        }
    }
    let spread = yaws.iter().copied().fold(f32::MIN, f32::max)
        - yaws.iter().copied().fold(f32::MAX, f32::min);
    if spread < MIN_YAW_SPREAD {
        return Err("Turn your head slowly to one side while the pictures are taken.".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(width: f32, yaw: f32) -> SeenFace {
        SeenFace {
            bbox: FaceBox {
                left: 0.3,
                top: 0.2,
                width,
                height: width * 1.3,
            },
            yaw,
            masked: false,
            eyes_open: None,
        }
    }

    #[test]
    fn an_enrolment_needs_one_big_bare_face_looking_straight_with_open_eyes() {
        assert_eq!(check_enrolment(&[face(0.3, 3.0)]), Ok(()));
        let refused = [
            (vec![], "No face"),
            (vec![face(0.3, 0.0), face(0.2, 0.0)], "More than one"),
            (vec![face(0.1, 0.0)], "too small"),
            (vec![face(0.3, 35.0)], "straight"),
            (
                vec![SeenFace {
                    masked: true,
                    ..face(0.3, 0.0)
                }],
                "mask",
            ),
            (
                vec![SeenFace {
                    eyes_open: Some(false),
                    ..face(0.3, 0.0)
                }],
                "eyes open",
            ),
        ];
        for (faces, words) in refused {
            let why = check_enrolment(&faces).expect_err("refused");
            assert!(why.contains(words), "{why}");
        }
    }

    #[test]
    fn a_sign_in_needs_one_face_per_capture_and_a_turn_of_the_head() {
        assert_eq!(
            check_liveness(&[vec![face(0.3, -2.0)], vec![face(0.3, 14.0)]]),
            Ok(())
        );
        let still = check_liveness(&[vec![face(0.3, 1.0)], vec![face(0.3, 6.0)]]);
        assert!(
            still
                .expect_err("a photo does not turn")
                .contains("Turn your head")
        );
        let lost = check_liveness(&[vec![face(0.3, 0.0)], vec![]]);
        assert!(lost.expect_err("refused").contains("lost"));
        let masked = SeenFace {
            masked: true,
            ..face(0.3, 20.0)
        };
        let covered = check_liveness(&[vec![face(0.3, 0.0)], vec![masked]]);
        assert!(covered.expect_err("refused").contains("mask"));
        let crowd = check_liveness(&[vec![face(0.3, 0.0)], vec![face(0.3, 20.0), face(0.2, 0.0)]]);
        assert!(crowd.expect_err("refused").contains("More than one"));
    }
}
