//! The face detector: UltraFace RFB-640 run by tract.
//!
//! Input `[1, 3, 480, 640]` RGB, `(x - 127) / 128`. Outputs `scores [1, N, 2]`
//! (softmax, index 1 = face) and `boxes [1, N, 4]` as `x0, y0, x1, y1` in 0..1 of
//! the input. The image is letterboxed into the input; boxes above the score
//! threshold are merged by NMS and mapped back to the original image.

use std::path::Path;
use std::sync::Arc;

use image::RgbImage;
use tract_onnx::prelude::*;

use crate::error::VisionError;
use crate::letterbox::Letterbox;
use crate::nms::non_max_suppression;
use crate::types::{Detection, PixelBox};

/// Model input width in pixels.
pub const DETECTOR_WIDTH: u32 = 640;
/// Model input height in pixels.
pub const DETECTOR_HEIGHT: u32 = 480;

/// Thresholds used when turning raw outputs into detections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// Minimum face probability to keep a box (0..1).
    pub score_threshold: f32,
    /// IoU above which the weaker of two boxes is dropped.
    pub iou_threshold: f32,
    /// Boxes smaller than this many original pixels on their short side are dropped.
    pub min_face_px: f32,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            score_threshold: 0.7,
            iou_threshold: 0.3,
            min_face_px: 8.0,
        }
    }
}

type Plan = Arc<TypedRunnableModel>;

/// A face detector loaded and optimised once; `detect` may be called from many threads.
#[derive(Debug, Clone)]
pub struct FaceDetector {
    plan: Plan,
    config: DetectorConfig,
}

impl FaceDetector {
    /// Load the UltraFace ONNX file at `path`.
    ///
    /// # Errors
    /// [`VisionError::Io`] when the file cannot be read, [`VisionError::Load`] when it
    /// is not a model of the expected shape.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, VisionError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| VisionError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_bytes(&bytes)
    }

    /// Load the UltraFace model from the bytes of its ONNX file.
    ///
    /// # Errors
    /// [`VisionError::Load`] when the bytes are not a model of the expected shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VisionError> {
        let shape = [1, 3, DETECTOR_HEIGHT as usize, DETECTOR_WIDTH as usize];
        let plan = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .and_then(|m| m.with_input_fact(0, f32::fact(shape).into()))
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(VisionError::load)?;
        Ok(FaceDetector {
            plan,
            config: DetectorConfig::default(),
        })
    }

    /// The same detector with other thresholds.
    pub fn with_config(mut self, config: DetectorConfig) -> Self {
        self.config = config;
        self
    }

    /// The thresholds in use.
    pub fn config(&self) -> DetectorConfig {
        self.config
    }

    /// Find the faces in `img`, best first, in original image pixel coordinates.
    ///
    /// # Errors
    /// [`VisionError::Input`] for an empty image; [`VisionError::Inference`] or
    /// [`VisionError::Output`] when the model fails.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<Detection>, VisionError> {
        if img.width() == 0 || img.height() == 0 {
            return Err(VisionError::Input("empty image".into()));
        }
        let lb = Letterbox::fit(img.width(), img.height(), DETECTOR_WIDTH, DETECTOR_HEIGHT);
        let canvas = lb.apply(img, DETECTOR_WIDTH, DETECTOR_HEIGHT, [127, 127, 127]);
        let (scores, boxes) = self.run_tensor(&to_nchw(&canvas))?;
        Ok(self.decode(
            &scores,
            &boxes,
            &lb,
            img.width() as f32,
            img.height() as f32,
        ))
    }

    /// Run the network on a prepared input (`1*3*480*640` floats, NCHW, already
    /// normalised) and return the raw `scores` (`N*2`) and `boxes` (`N*4`).
    ///
    /// # Errors
    /// [`VisionError::Input`] for a wrong length; model failures as in [`Self::detect`].
    pub fn run_tensor(&self, nchw: &[f32]) -> Result<(Vec<f32>, Vec<f32>), VisionError> {
        let shape = [1, 3, DETECTOR_HEIGHT as usize, DETECTOR_WIDTH as usize];
        if nchw.len() != shape.iter().product::<usize>() {
            return Err(VisionError::Input(format!(
                "detector input needs {shape:?} floats"
            )));
        }
        let input = Tensor::from_shape(&shape, nchw).map_err(VisionError::inference)?;
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(VisionError::inference)?;
        if out.len() < 2 {
            return Err(VisionError::Output(format!(
                "expected 2 outputs, got {}",
                out.len()
            )));
        }
        let scores = out[0]
            .to_plain_array_view::<f32>()
            .map_err(VisionError::inference)?
            .iter()
            .copied()
            .collect::<Vec<f32>>();
        let boxes = out[1]
            .to_plain_array_view::<f32>()
            .map_err(VisionError::inference)?
            .iter()
            .copied()
            .collect::<Vec<f32>>();
        if scores.len() % 2 != 0 || boxes.len() != scores.len() * 2 {
            return Err(VisionError::Output(format!(
                "scores {} / boxes {} values",
                scores.len(),
                boxes.len()
            )));
        }
        Ok((scores, boxes))
    }

    fn decode(
        &self,
        scores: &[f32],
        boxes: &[f32],
        lb: &Letterbox,
        w: f32,
        h: f32,
    ) -> Vec<Detection> {
        let (mw, mh) = (DETECTOR_WIDTH as f32, DETECTOR_HEIGHT as f32);
        let mut cand = Vec::new();
        let mut cand_scores = Vec::new();
        for (i, pair) in scores.chunks_exact(2).enumerate() {
            let score = pair[1];
            if score < self.config.score_threshold {
                continue;
            }
            let b = &boxes[i * 4..i * 4 + 4];
            let (x0, y0) = lb.to_original(b[0] * mw, b[1] * mh);
            let (x1, y1) = lb.to_original(b[2] * mw, b[3] * mh);
            let bbox = PixelBox {
                x: x0,
                y: y0,
                width: x1 - x0,
                height: y1 - y0,
            }
            .clamp_to(w, h);
            if bbox.width.min(bbox.height) < self.config.min_face_px {
                continue;
            }
            cand.push(bbox);
            cand_scores.push(score);
        }
        non_max_suppression(&cand, &cand_scores, self.config.iou_threshold)
            .into_iter()
            .map(|i| Detection {
                bbox: cand[i],
                score: cand_scores[i].clamp(0.0, 1.0),
                landmarks: None,
            })
            .collect()
    }
}

/// RGB image to NCHW floats normalised as UltraFace expects.
fn to_nchw(img: &RgbImage) -> Vec<f32> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let mut out = vec![0.0f32; 3 * w * h];
    for (i, p) in img.pixels().enumerate() {
        for (c, v) in p.0.iter().enumerate() {
            out[c * w * h + i] = (f32::from(*v) - 127.0) / 128.0;
        }
    }
    out
}
