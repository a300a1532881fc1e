//! The mask classifier: our small CNN (see `models/README.md`) run by tract.
//!
//! Input `[N, 3, 64, 64]` RGB in 0..1 (the graph normalises further itself).
//! Output `[N, 2]` softmax probabilities: index 0 = mask, 1 = no mask.
//! Each face is cut as a square of [`CROP_MARGIN`] times the box's longer side,
//! centred on the box (edges replicated outside the image), and area-resampled.

use std::path::Path;
use std::sync::Arc;

use image::RgbImage;
use tract_onnx::prelude::*;

use crate::error::VisionError;
use crate::types::{MaskVerdict, PixelBox};

/// Side of the square classifier input, in pixels.
pub const CLASSIFIER_INPUT: u32 = 64;
/// Crop side as a multiple of the face box's longer side (same as in training).
pub const CROP_MARGIN: f32 = 1.25;

/// A mask classifier loaded and optimised once, with a symbolic batch size.
#[derive(Debug, Clone)]
pub struct MaskClassifier {
    plan: Arc<TypedRunnableModel>,
}

impl MaskClassifier {
    /// Load the classifier ONNX file at `path`.
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

    /// Load the classifier from the bytes of its ONNX file.
    ///
    /// # Errors
    /// [`VisionError::Load`] when the bytes are not a model of the expected shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VisionError> {
        let side = CLASSIFIER_INPUT as usize;
        let model = tract_onnx::onnx()
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .map_err(VisionError::load)?;
        let n = model.sym("N");
        let plan = model
            .with_input_fact(
                0,
                f32::fact(&[
                    TDim::from(n),
                    TDim::from(3),
                    TDim::from(side),
                    TDim::from(side),
                ])
                .into(),
            )
            .and_then(|m| m.into_optimized())
            .and_then(|m| m.into_runnable())
            .map_err(VisionError::load)?;
        Ok(MaskClassifier { plan })
    }

    /// Classify every face box of one photo in a single batched run; the verdicts
    /// come back in the order of `boxes`. No boxes means no run and no verdicts.
    ///
    /// # Errors
    /// [`VisionError::Input`] for an empty image or a box with no area;
    /// [`VisionError::Inference`] or [`VisionError::Output`] when the model fails.
    pub fn classify(
        &self,
        img: &RgbImage,
        boxes: &[PixelBox],
    ) -> Result<Vec<MaskVerdict>, VisionError> {
        if boxes.is_empty() {
            return Ok(Vec::new());
        }
        if img.width() == 0 || img.height() == 0 {
            return Err(VisionError::Input("empty image".into()));
        }
        let per = 3 * (CLASSIFIER_INPUT * CLASSIFIER_INPUT) as usize;
        let mut batch = Vec::with_capacity(per * boxes.len());
        for b in boxes {
            if !(b.width > 0.0 && b.height > 0.0 && b.x.is_finite() && b.y.is_finite()) {
                return Err(VisionError::Input(format!("face box without area: {b:?}")));
            }
            batch.extend(crop_nchw(img, b));
        }
        let probs = self.run_tensor(boxes.len(), &batch)?;
        Ok(probs.iter().map(|p| verdict(p[0], p[1])).collect())
    }

    /// Run the network on `n` prepared crops (`n*3*64*64` floats, NCHW, RGB 0..1)
    /// and return `[p_mask, p_no_mask]` per crop.
    ///
    /// # Errors
    /// [`VisionError::Input`] for a wrong length; model failures as in [`Self::classify`].
    pub fn run_tensor(&self, n: usize, nchw: &[f32]) -> Result<Vec<[f32; 2]>, VisionError> {
        let side = CLASSIFIER_INPUT as usize;
        let shape = [n, 3, side, side];
        if n == 0 || nchw.len() != n * 3 * side * side {
            return Err(VisionError::Input(format!(
                "classifier input needs {shape:?} floats"
            )));
        }
        let input = Tensor::from_shape(&shape, nchw).map_err(VisionError::inference)?;
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(VisionError::inference)?;
        let probs = out
            .first()
            .ok_or_else(|| VisionError::Output("no output".into()))?
            .to_plain_array_view::<f32>()
            .map_err(VisionError::inference)?
            .iter()
            .copied()
            .collect::<Vec<f32>>();
        if probs.len() != n * 2 {
            return Err(VisionError::Output(format!(
                "expected {} probabilities, got {}",
                n * 2,
                probs.len()
            )));
        }
        Ok(probs.chunks_exact(2).map(|p| [p[0], p[1]]).collect())
    }
}

fn verdict(p_mask: f32, p_no_mask: f32) -> MaskVerdict {
    let total = p_mask + p_no_mask;
    let p = if total > 0.0 { p_mask / total } else { 0.5 };
    let masked = p >= 0.5;
    MaskVerdict {
        masked,
        confidence: if masked { p } else { 1.0 - p },
    }
}

/// The square crop around `b`, area-resampled to the input size, as NCHW 0..1.
pub(crate) fn crop_nchw(img: &RgbImage, b: &PixelBox) -> Vec<f32> {
    let side = CLASSIFIER_INPUT as usize;
    let (cx, cy) = b.center();
    let src = CROP_MARGIN * b.width.max(b.height);
    let cell = src / side as f32;
    let (x0, y0) = (cx - src / 2.0, cy - src / 2.0);
    // sample k x k points per output pixel (an area filter for downscaling)
    let k = (cell.ceil() as usize).clamp(1, 8);
    let (w, h) = (img.width() as i64, img.height() as i64);
    let mut out = vec![0.0f32; 3 * side * side];
    for v in 0..side {
        for u in 0..side {
            let mut acc = [0.0f32; 3];
            for j in 0..k {
                for i in 0..k {
                    let sx = x0 + (u as f32 + (i as f32 + 0.5) / k as f32) * cell;
                    let sy = y0 + (v as f32 + (j as f32 + 0.5) / k as f32) * cell;
                    let px = (sx.floor() as i64).clamp(0, w - 1) as u32;
                    let py = (sy.floor() as i64).clamp(0, h - 1) as u32;
                    for (a, v) in acc.iter_mut().zip(img.get_pixel(px, py).0) {
                        *a += f32::from(v);
                    }
                }
            }
            let norm = 1.0 / (255.0 * (k * k) as f32);
            for (c, a) in acc.iter().enumerate() {
                out[c * side * side + v * side + u] = a * norm;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_confidence_is_that_of_the_answer_given() {
        let v = verdict(0.9, 0.1);
        assert!(v.masked && (v.confidence - 0.9).abs() < 1e-6);
        let v = verdict(0.2, 0.8);
        assert!(!v.masked && (v.confidence - 0.8).abs() < 1e-6);
    }

    #[test]
    fn given_uniform_image_when_cropped_outside_then_edges_are_replicated() {
        let img = RgbImage::from_pixel(10, 10, image::Rgb([255, 0, 51]));
        let b = PixelBox {
            x: -20.0,
            y: -20.0,
            width: 30.0,
            height: 30.0,
        };
        let t = crop_nchw(&img, &b);
        let plane = (CLASSIFIER_INPUT * CLASSIFIER_INPUT) as usize;
        assert!(t[..plane].iter().all(|&x| (x - 1.0).abs() < 1e-6));
        assert!(t[plane..2 * plane].iter().all(|&x| x == 0.0));
        assert!(t[2 * plane..].iter().all(|&x| (x - 0.2).abs() < 1e-6));
    }
}
