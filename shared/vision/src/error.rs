//! The error type of this crate.

use std::path::PathBuf;

/// What can go wrong while loading or running a model.
#[derive(Debug, thiserror::Error)]
pub enum VisionError {
    /// The model file could not be read.
    #[error("cannot read model file {path}: {source}")]
    Io {
        /// The path that was read.
        path: PathBuf,
        /// The underlying IO error.
        #[source]
        source: std::io::Error,
    },
    /// The ONNX model could not be parsed, typed or optimised.
    #[error("cannot load model: {0}")]
    Load(String),
    /// Running the model failed.
    #[error("inference failed: {0}")]
    Inference(String),
    /// The model produced outputs of an unexpected shape.
    #[error("unexpected model output: {0}")]
    Output(String),
    /// The input cannot be processed (empty image, bad tensor length, ...).
    #[error("invalid input: {0}")]
    Input(String),
}

impl VisionError {
    pub(crate) fn load(e: impl std::fmt::Display) -> Self {
        Self::Load(format!("{e:#}"))
    }

    pub(crate) fn inference(e: impl std::fmt::Display) -> Self {
        Self::Inference(format!("{e:#}"))
    }
}
