//! The face detector: UltraFace RFB-640 run by tract.
//!
//! Input `[1, 3, 480, 640]` RGB, `(x - 127) / 128`. Outputs `scores [1, N, 2]`
//! (softmax, index 1 = face) and `boxes [1, N, 4]` as `x0, y0, x1, y1` in 0..1 of
//! the input. The image is letterboxed into the input; boxes above the score
//! threshold are merged by NMS and mapped back to the original image.
//!
//! The graph's last op, the softmax over each anchor's two logits, is cut off at load
//! and done here instead: tract spends about a tenth of the whole run on that softmax
//! of 17,640 rows of two, which takes a fraction of a millisecond as a plain loop.

use std::path::Path;
use std::sync::Arc;

use image::RgbImage;
use tract_onnx::prelude::*;
use tract_onnx::tract_core::ops::nn::{Softmax, SoftmaxKind};

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
    /// True when the plan's first output is the logits (softmax cut off at load).
    logits: bool,
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
        let mut model = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .and_then(|m| m.with_input_fact(0, f32::fact(shape).into()))
            .and_then(|m| m.into_optimized())
            .map_err(VisionError::load)?;
        let logits = cut_final_softmax(&mut model).map_err(VisionError::load)?;
        let plan = model.into_runnable().map_err(VisionError::load)?;
        Ok(FaceDetector {
            plan,
            logits,
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
        let input = tract_ndarray::Array4::from_shape_vec(
            (1, 3, DETECTOR_HEIGHT as usize, DETECTOR_WIDTH as usize),
            to_nchw(&canvas),
        )
        .map_err(VisionError::inference)?;
        let (scores, boxes) = self.run(input.into_tensor())?;
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
        self.run(input)
    }

    /// Run the plan; scores come back as probabilities either way.
    fn run(&self, input: Tensor) -> Result<(Vec<f32>, Vec<f32>), VisionError> {
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
        let mut scores = out[0]
            .to_plain_array_view::<f32>()
            .map_err(VisionError::inference)?
            .iter()
            .copied()
            .collect::<Vec<f32>>();
        if self.logits {
            softmax_pairs(&mut scores);
        }
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

/// When the model's first output is a softmax over the last axis of a `[1, N, 2]`
/// tensor, make its input (the logits) the output instead and return true; otherwise
/// leave the model as it is and return false.
fn cut_final_softmax(model: &mut TypedModel) -> TractResult<bool> {
    let outputs = model.output_outlets()?.to_vec();
    let Some(&first) = outputs.first() else {
        return Ok(false);
    };
    let node = model.node(first.node);
    let Some(softmax) = node.op_as::<Softmax>() else {
        return Ok(false);
    };
    let [input] = node.inputs[..] else {
        return Ok(false);
    };
    let fact = model.outlet_fact(input)?;
    let pairs = fact.rank() == 3
        && fact.shape[2] == TDim::Val(2)
        && fact.datum_type == f32::datum_type()
        && softmax.kind == SoftmaxKind::Softmax
        && softmax.quant_output_dt.is_none()
        && softmax.axes[..] == [2];
    if !pairs {
        return Ok(false);
    }
    let mut outputs = outputs;
    outputs[0] = input;
    model.select_output_outlets(&outputs)?;
    Ok(true)
}

/// Softmax of each consecutive pair of logits, in place.
fn softmax_pairs(values: &mut [f32]) {
    for pair in values.chunks_exact_mut(2) {
        let m = pair[0].max(pair[1]);
        let (e0, e1) = ((pair[0] - m).exp(), (pair[1] - m).exp());
        let sum = e0 + e1;
        pair[0] = e0 / sum;
        pair[1] = e1 / sum;
    }
}

/// RGB image to NCHW floats normalised as UltraFace expects.
fn to_nchw(img: &RgbImage) -> Vec<f32> {
    let plane = img.width() as usize * img.height() as usize;
    let lut: Vec<f32> = (0..=255u8)
        .map(|v| (f32::from(v) - 127.0) / 128.0)
        .collect();
    let mut out = vec![0.0f32; 3 * plane];
    let (r, rest) = out.split_at_mut(plane);
    let (g, b) = rest.split_at_mut(plane);
    for (((px, r), g), b) in img.as_raw().chunks_exact(3).zip(r).zip(g).zip(b) {
        *r = lut[usize::from(px[0])];
        *g = lut[usize::from(px[1])];
        *b = lut[usize::from(px[2])];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_of_pairs_sums_to_one_and_keeps_order() {
        let mut v = [0.0, 0.0, 2.0, -1.0, -80.0, 80.0];
        softmax_pairs(&mut v);
        assert!((v[0] - 0.5).abs() < 1e-6 && (v[1] - 0.5).abs() < 1e-6);
        let want = 1.0 / (1.0 + (-3.0f32).exp());
        assert!((v[2] - want).abs() < 1e-6 && (v[2] + v[3] - 1.0).abs() < 1e-6);
        assert!(v[4] < 1e-30 && (v[5] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn image_to_nchw_normalises_each_channel_into_its_plane() {
        let img = RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8, 127, 255 - y as u8]));
        let t = to_nchw(&img);
        assert_eq!(t.len(), 18);
        assert_eq!(
            t[..6],
            [
                -127.0 / 128.0,
                -126.0 / 128.0,
                -125.0 / 128.0,
                -127.0 / 128.0,
                -126.0 / 128.0,
                -125.0 / 128.0
            ]
        );
        assert!(t[6..12].iter().all(|&x| x == 0.0));
        assert_eq!(t[12], 1.0);
        assert_eq!(t[17], 127.0 / 128.0);
    }
}
