//! The local analyzer: the ONNX face detector, our mask classifier and the SFace face
//! embeddings aligned from CenterFace's landmarks (`facelens-vision`) plugged into the
//! pipeline. The models are loaded and
//! optimised once per process.

use crate::cli::PipelineArgs;
use anyhow::Context;
use facelens_core::analysis::ports::PhotoAnalyzer;
use facelens_imaging::Limits;
use facelens_pipeline::{
    ClassifierJudge, DetectorFinder, EmbeddingMatcher, Embeddings, FaceEngine, Pipeline,
};
use facelens_vision::{FaceDetector, FaceEmbedder, MaskClassifier, RegionLandmarks};
use std::path::Path;
use std::sync::Arc;

/// File name of the face detector under the models folder.
pub const DETECTOR_FILE: &str = "yunet-640.onnx";
/// File name of the mask classifier under the models folder.
pub const CLASSIFIER_FILE: &str = "mask-classifier.onnx";

/// File name of the face-embedding model under the models folder.
pub const EMBEDDER_FILE: &str = "sface-112.onnx";
/// File name of the landmark model (CenterFace, on each face's region) under the models folder.
pub const LANDMARKS_FILE: &str = "centerface.onnx";

/// Whether the server's face features are wanted (comparing faces with reference photos,
/// face enrolment and sign-in), which load the 38 MB face-embedding model: the server does,
/// `facelens analyze` does not need to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparisons {
    /// Load SFace: compare faces, enrol them and sign in with them.
    Enabled,
    /// Detector and classifier only.
    Disabled,
}

/// The loaded models, as the analyzer and (with [`Comparisons::Enabled`]) the face engine.
pub struct Models {
    /// The photo pipeline.
    pub analyzer: Arc<dyn PhotoAnalyzer>,
    /// The engine of face enrolment and face sign-in.
    pub faces: Option<FaceEngine>,
}

/// Loads the models and builds the pipeline.
///
/// # Errors
/// When a model file is missing or does not load.
pub fn load(args: &PipelineArgs, comparisons: Comparisons) -> anyhow::Result<Models> {
    let detector_path = args.models_dir.join(DETECTOR_FILE);
    let classifier_path = args.models_dir.join(CLASSIFIER_FILE);
    // Loading and optimising a model is most of a cold start: the two load side by side.
    let (detector, classifier) = std::thread::scope(|scope| {
        let classifier = scope.spawn(|| MaskClassifier::from_path(&classifier_path));
        let detector = FaceDetector::from_path(&detector_path);
        (detector, classifier.join())
    });
    let detector = detector
        .with_context(|| format!("loading {} (run `make models`)", detector_path.display()))?;
    let classifier = classifier
        .map_err(|_| anyhow::anyhow!("loading the mask classifier panicked"))?
        .with_context(|| format!("loading {} (run `make models`)", classifier_path.display()))?;
    let limits = Limits {
        max_pixels: args.max_megapixels * 1_000_000,
        ..Limits::default()
    };
    let shared_detector = Arc::new(detector.clone());
    let pipeline = Pipeline::new(
        Arc::new(DetectorFinder::new(Arc::clone(&shared_detector))),
        Arc::new(ClassifierJudge::new(classifier.clone())),
        limits,
    );
    if comparisons == Comparisons::Disabled {
        return Ok(Models {
            analyzer: Arc::new(pipeline),
            faces: None,
        });
    }
    let embeddings = Arc::new(embeddings(&args.models_dir)?);
    let faces = FaceEngine::new(detector, classifier, Arc::clone(&embeddings), limits);
    let matcher = EmbeddingMatcher::new(shared_detector, embeddings);
    Ok(Models {
        analyzer: Arc::new(pipeline.with_matcher(Arc::new(matcher))),
        faces: Some(faces),
    })
}

/// SFace and CenterFace from the models folder: one embedding per face.
///
/// # Errors
/// When a model file is missing or does not load.
pub fn embeddings(models_dir: &Path) -> anyhow::Result<Embeddings> {
    let embedder_path = models_dir.join(EMBEDDER_FILE);
    let embedder = FaceEmbedder::from_path(&embedder_path)
        .with_context(|| format!("loading {} (run `make models`)", embedder_path.display()))?;
    let landmarks_path = models_dir.join(LANDMARKS_FILE);
    let landmarks = RegionLandmarks::from_path(&landmarks_path)
        .with_context(|| format!("loading {} (run `make models`)", landmarks_path.display()))?;
    Ok(Embeddings::new(landmarks, embedder))
}
