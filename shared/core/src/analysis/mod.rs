//! Photos and their analyses: the domain types, the ports the analysis adapters implement, and
//! the use cases (presigned uploads, processing an arrived photo once, history, deletion and the
//! purge of a deleted account's data).

mod abandoned;
mod category;
mod face;
mod history;
mod ids;
pub mod ports;
mod process;
mod purge;
mod record;
mod uploads;

pub use abandoned::{AbandonedUploads, NEVER_ARRIVED};
pub use category::Category;
pub use face::{
    AgeRange, Emotion, FaceAttributes, FaceBox, FaceResult, Flag, Likeness, MaskVerdict, Pose,
    Quality,
};
pub use history::{AnalysisService, Counts, HistoryPage};
pub use ids::{AnalysisId, ImageType, ObjectKey, Reference};
pub use process::{ProcessOutcome, ProcessService};
pub use purge::PurgeService;
pub use record::{Analysis, Status};
pub use uploads::{PresignedUpload, UploadPolicy, UploadService};

/// What can go wrong in the analysis use cases.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    /// The caller's input breaks a rule; the text says which.
    #[error("{0}")]
    Invalid(String),
    /// The declared type is not an accepted image type.
    #[error("{0}")]
    UnsupportedType(String),
    /// The declared or actual size is over the limit.
    #[error("{0}")]
    TooLarge(String),
    /// No such analysis for this caller.
    #[error("no such analysis")]
    NotFound,
    /// The caller's account was deleted (or its name given to a new account) while the request
    /// ran; nothing it made was kept.
    #[error("this account no longer exists")]
    AccountGone,
    /// Our fault; the text goes to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<crate::ports::StoreError> for AnalysisError {
    fn from(err: crate::ports::StoreError) -> Self {
        match err {
            crate::ports::StoreError::NotFound => AnalysisError::NotFound,
            other => AnalysisError::Internal(other.to_string()),
        }
    }
}
