//! The mask classifier: our small CNN (see `models/README.md`) run by tract.
//!
//! Input `[N, 3, 64, 64]` RGB in 0..1 (the graph normalises further itself).
//! Output `[N, 2]` softmax probabilities: index 0 = mask, 1 = no mask.
//! Each face is cut as a square of [`CROP_MARGIN`] times the box's longer side,
//! centred on the box (edges replicated outside the image), and area-resampled.
//!
//! The graph is optimised once, at load, for a batch of exactly one face, and a photo's
//! faces run through it one after the other. With a concrete batch of one, tract feeds
//! each convolution straight from its input (no im2col buffer) and runs the CNN about
//! twice as fast per face as with a symbolic or larger batch (measured in
//! `docs/performance.md`), so batching buys nothing here.

use std::path::Path;

use image::RgbImage;
use tract_onnx::prelude::*;

use crate::error::VisionError;
use crate::model::{self, Plan};
use crate::types::{MaskVerdict, PixelBox};

/// Side of the square classifier input, in pixels.
pub const CLASSIFIER_INPUT: u32 = 64;
/// Crop side as a multiple of the face box's longer side (same as in training).
pub const CROP_MARGIN: f32 = 1.25;

/// A mask classifier loaded and optimised once (for one face per run); cheap to
/// clone, and `classify` may be called from many threads.
#[derive(Debug, Clone)]
pub struct MaskClassifier {
    plan: Plan,
}

impl MaskClassifier {
    /// Load the classifier ONNX file at `path`.
    ///
    /// # Errors
    /// [`VisionError::Io`] when the file cannot be read, [`VisionError::Load`] when it
    /// is not a model of the expected shape.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, VisionError> {
        Self::from_bytes(&model::read(path.as_ref())?)
    }

    /// Load the classifier from the bytes of its ONNX file.
    ///
    /// # Errors
    /// [`VisionError::Load`] when the bytes are not a model of the expected shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VisionError> {
        let side = CLASSIFIER_INPUT as usize;
        Ok(MaskClassifier {
            plan: model::plan(bytes, [1, 3, side, side])?,
        })
    }

    /// Classify every face box of one photo; the verdicts come back in the order of
    /// `boxes`. No boxes means no run and no verdicts.
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
        if let Some(b) = boxes
            .iter()
            .find(|b| !(b.width > 0.0 && b.height > 0.0 && b.x.is_finite() && b.y.is_finite()))
        {
            return Err(VisionError::Input(format!("face box without area: {b:?}")));
        }
        let mut crop = vec![0.0f32; CROP_LEN];
        boxes
            .iter()
            .map(|b| -> Result<MaskVerdict, VisionError> {
                crop_into(img, b, &mut crop);
                let [p_mask, p_no_mask] = self.run_one(&crop)?;
                Ok(verdict(p_mask, p_no_mask))
            })
            .collect()
    }

    /// Run the network on `n` prepared crops (`n*3*64*64` floats, NCHW, RGB 0..1)
    /// and return `[p_mask, p_no_mask]` per crop.
    ///
    /// # Errors
    /// [`VisionError::Input`] for a wrong length; model failures as in [`Self::classify`].
    pub fn run_tensor(&self, n: usize, nchw: &[f32]) -> Result<Vec<[f32; 2]>, VisionError> {
        if n == 0 || nchw.len() != n * CROP_LEN {
            let side = CLASSIFIER_INPUT as usize;
            return Err(VisionError::Input(format!(
                "classifier input needs {:?} floats",
                [n, 3, side, side]
            )));
        }
        nchw.chunks_exact(CROP_LEN)
            .map(|crop| self.run_one(crop))
            .collect()
    }

    /// One crop (`3*64*64` floats) through the plan.
    fn run_one(&self, crop: &[f32]) -> Result<[f32; 2], VisionError> {
        let side = CLASSIFIER_INPUT as usize;
        let input =
            Tensor::from_shape(&[1, 3, side, side], crop).map_err(VisionError::inference)?;
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(VisionError::inference)?;
        let probs = out
            .first()
            .ok_or_else(|| VisionError::Output("no output".into()))?
            .to_plain_array_view::<f32>()
            .map_err(VisionError::inference)?;
        match probs.as_slice() {
            Some(&[p_mask, p_no_mask]) => Ok([p_mask, p_no_mask]),
            _ => Err(VisionError::Output(format!(
                "expected 2 probabilities, got shape {:?}",
                probs.shape()
            ))),
        }
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

/// Floats in one classifier input: `3 * 64 * 64`.
const CROP_LEN: usize = 3 * (CLASSIFIER_INPUT * CLASSIFIER_INPUT) as usize;

/// The square crop around `b`, area-resampled to the input size, as NCHW 0..1.
#[cfg(test)]
pub(crate) fn crop_nchw(img: &RgbImage, b: &PixelBox) -> Vec<f32> {
    let mut out = vec![0.0f32; CROP_LEN];
    crop_into(img, b, &mut out);
    out
}

/// Write the square crop around `b` into `out` (`3*64*64` floats, NCHW, 0..1).
///
/// Each output pixel averages `k x k` samples of the source (an area filter for
/// downscaling); the sample columns and rows are computed once, as indices clamped to
/// the image (edges replicated), then read straight from the pixel buffer.
fn crop_into(img: &RgbImage, b: &PixelBox, out: &mut [f32]) {
    let side = CLASSIFIER_INPUT as usize;
    let plane = side * side;
    let (cx, cy) = b.center();
    let src = CROP_MARGIN * b.width.max(b.height);
    let cell = src / side as f32;
    let (x0, y0) = (cx - src / 2.0, cy - src / 2.0);
    let k = (cell.ceil() as usize).clamp(1, 8);
    let samples = |origin: f32, len: u32| -> Vec<usize> {
        let last = i64::from(len) - 1;
        (0..side)
            .flat_map(|u| {
                (0..k).map(move |i| {
                    let s = origin + (u as f32 + (i as f32 + 0.5) / k as f32) * cell;
                    (s.floor() as i64).clamp(0, last) as usize
                })
            })
            .collect()
    };
    let xs: Vec<usize> = samples(x0, img.width())
        .into_iter()
        .map(|x| 3 * x)
        .collect();
    let ys = samples(y0, img.height());
    let stride = 3 * img.width() as usize;
    let raw = img.as_raw();
    let norm = 1.0 / (255.0 * (k * k) as f32);
    for (v, rows) in ys.chunks_exact(k).enumerate() {
        for (u, cols) in xs.chunks_exact(k).enumerate() {
            let mut acc = [0u32; 3];
            for &y in rows {
                let row = &raw[y * stride..(y + 1) * stride];
                for &x in cols {
                    if let [r, g, bl] = row[x..x + 3] {
                        acc[0] += u32::from(r);
                        acc[1] += u32::from(g);
                        acc[2] += u32::from(bl);
                    }
                }
            }
            let at = v * side + u;
            out[at] = acc[0] as f32 * norm;
            out[plane + at] = acc[1] as f32 * norm;
            out[2 * plane + at] = acc[2] as f32 * norm;
        }
    }
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

    /// The sampler as first written: `get_pixel` per sample, clamped coordinates.
    fn crop_reference(img: &RgbImage, b: &PixelBox) -> Vec<f32> {
        let side = CLASSIFIER_INPUT as usize;
        let (cx, cy) = b.center();
        let src = CROP_MARGIN * b.width.max(b.height);
        let cell = src / side as f32;
        let (x0, y0) = (cx - src / 2.0, cy - src / 2.0);
        let k = (cell.ceil() as usize).clamp(1, 8);
        let (w, h) = (i64::from(img.width()), i64::from(img.height()));
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

    #[test]
    fn given_boxes_of_many_sizes_when_cropped_then_same_as_per_pixel_sampler() {
        let img = RgbImage::from_fn(97, 61, |x, y| {
            image::Rgb([(x * 7 + y) as u8, (x * y) as u8, (255 - x - 2 * y) as u8])
        });
        for (x, y, w, h) in [
            (10.0, 5.0, 20.0, 30.0),
            (-15.5, 40.2, 33.3, 18.0),
            (60.0, -8.0, 50.0, 90.0),
            (0.0, 0.0, 97.0, 61.0),
            (40.0, 30.0, 4.0, 3.0),
            (-300.0, -300.0, 700.0, 650.0),
        ] {
            let b = PixelBox {
                x,
                y,
                width: w,
                height: h,
            };
            assert_eq!(crop_nchw(&img, &b), crop_reference(&img, &b), "{b:?}");
        }
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
