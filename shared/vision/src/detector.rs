//! The face detector: YuNet (OpenCV Zoo, MIT; the 2023mar model, unpacked to float32 by
//! `make models`) run by tract, with five landmarks per face.
//!
//! Input `[1, 3, 480, 640]`, BGR, 0..255 (no normalisation). For each stride `s` of 8, 16
//! and 32, on a grid of `640 / s` columns (anchor `i = row * cols + col`): `cls_s` and
//! `obj_s` `[1, N, 1]` (probabilities), `bbox_s` `[1, N, 4]` and `kps_s` `[1, N, 10]`.
//! Score `sqrt(cls * obj)`; centre `((col + bbox0) * s, (row + bbox1) * s)`, size
//! `(exp(bbox2) * s, exp(bbox3) * s)`; landmark `k` at `((col + kps[2k]) * s, (row +
//! kps[2k+1]) * s)`. The photo is letterboxed into the input, overlapping boxes are merged
//! by NMS, and everything is mapped back to the photo.
//!
//! A photo much larger than the input loses its small faces to the downscale (at the network
//! input bare faces are found from about 36 px, masked ones 77% of the time at 40 px and 95% at
//! 80 px; see `models/README.md`), so [`FaceDetector::detect`] looks again on overlapping tiles
//! at a larger scale, at most [`DetectorConfig::max_tiles`] of them: the smallest face found
//! reliably grows with the photo beyond about 2.5 MP.

use std::path::Path;

use facelens_imaging::halve;
use image::RgbImage;
use tract_onnx::prelude::*;

use crate::error::VisionError;
use crate::letterbox::Letterbox;
use crate::model::{self, Channels, Plan};
use crate::nms::suppress;
use crate::tiles::{Region, cuts, tiles};
use crate::types::{Detection, PixelBox};

/// Model input width in pixels.
pub const DETECTOR_WIDTH: u32 = 640;
/// Model input height in pixels.
pub const DETECTOR_HEIGHT: u32 = 480;
/// The strides of the three output levels.
const STRIDES: [usize; 3] = [8, 16, 32];

/// Thresholds used when turning raw outputs into detections.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectorConfig {
    /// Minimum face score to keep a box of the whole-photo pass (0..1).
    pub score_threshold: f32,
    /// Minimum face score to keep a box found on a tile (0..1): higher, since tiles see
    /// more background at a larger scale.
    pub tile_score_threshold: f32,
    /// IoU above which the weaker of two boxes is dropped.
    pub iou_threshold: f32,
    /// Boxes smaller than this many original pixels on their short side are dropped.
    pub min_face_px: f32,
    /// The face width (original pixels) tiles look for: tiles are searched at the scale
    /// that makes such a face [`DetectorConfig::network_face_px`] wide, or as near as
    /// [`DetectorConfig::max_tiles`] allows.
    pub smallest_face_px: f32,
    /// The face width (input pixels) tiles aim to show the smallest face at.
    pub network_face_px: f32,
    /// Overlap of neighbouring tiles in input pixels; a tile keeps only faces smaller than
    /// this (larger ones are the whole-photo pass's).
    pub tile_overlap_px: f32,
    /// Most tiles searched in one photo.
    pub max_tiles: usize,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            score_threshold: 0.6,
            tile_score_threshold: 0.7,
            iou_threshold: 0.3,
            min_face_px: 8.0,
            smallest_face_px: 40.0,
            network_face_px: 40.0,
            tile_overlap_px: 160.0,
            max_tiles: 16,
        }
    }
}

/// The raw outputs of one run, per stride (8, 16, 32), each flattened.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDetections {
    /// `cls` probabilities per anchor.
    pub cls: [Vec<f32>; 3],
    /// `obj` probabilities per anchor.
    pub obj: [Vec<f32>; 3],
    /// Four box values per anchor.
    pub bbox: [Vec<f32>; 3],
    /// Ten landmark values per anchor.
    pub kps: [Vec<f32>; 3],
}

/// A face detector loaded and optimised once; `detect` may be called from many threads.
#[derive(Debug, Clone)]
pub struct FaceDetector {
    plan: Plan,
    config: DetectorConfig,
}

impl FaceDetector {
    /// Load the YuNet ONNX file at `path`.
    ///
    /// # Errors
    /// [`VisionError::Io`] when the file cannot be read, [`VisionError::Load`] when it
    /// is not a model of the expected shape.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, VisionError> {
        Self::from_bytes(&model::read(path.as_ref())?)
    }

    /// Load YuNet from the bytes of its ONNX file. The file declares a `640x640` input; the
    /// network is fully convolutional, so the input is set to `640x480` and the declared
    /// output shapes are dropped.
    ///
    /// # Errors
    /// [`VisionError::Load`] when the bytes are not a model of the expected shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VisionError> {
        let shape = [1, 3, DETECTOR_HEIGHT as usize, DETECTOR_WIDTH as usize];
        let plan = model::plan(bytes, shape)?;
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

    /// Find the faces in `img`, best first, in original image pixel coordinates, with
    /// their landmarks (left eye, right eye, nose, left and right mouth corner as seen).
    ///
    /// # Errors
    /// [`VisionError::Input`] for an empty image; [`VisionError::Inference`] or
    /// [`VisionError::Output`] when the model fails.
    pub fn detect(&self, img: &RgbImage) -> Result<Vec<Detection>, VisionError> {
        if img.width() == 0 || img.height() == 0 {
            return Err(VisionError::Input("empty image".into()));
        }
        // Every pass looks at half the photo's resolution or less: run them on a halved copy,
        // which costs one read of the photo and saves each pass most of its resampling.
        let found = if self.tile_scale(img.width(), img.height(), 1.0) <= 0.5
            && img.width() >= 2
            && img.height() >= 2
        {
            let half = halve(img);
            let mut found = self.detect_at(&half, 2.0)?;
            for d in &mut found {
                d.bbox = d.bbox.scaled(2.0);
                if let Some(points) = &mut d.landmarks {
                    for p in points.iter_mut() {
                        *p = [p[0] * 2.0, p[1] * 2.0];
                    }
                }
            }
            found
        } else {
            self.detect_at(img, 1.0)?
        };
        Ok(suppress(found, self.config.iou_threshold))
    }

    /// The scale (input pixels per pixel of a `width` x `height` image whose pixels are
    /// `factor` photo pixels each) at which tiles are searched: the one that shows the
    /// smallest face wanted at the network's face size, or the one at which about
    /// `max_tiles` tiles cover the image, whichever is smaller, and never above 1.
    fn tile_scale(&self, width: u32, height: u32, factor: f32) -> f32 {
        let c = self.config;
        let (net_w, net_h) = (DETECTOR_WIDTH as f32, DETECTOR_HEIGHT as f32);
        let wanted = c.network_face_px / (c.smallest_face_px / factor);
        let affordable =
            (c.max_tiles as f32 * (net_w - c.tile_overlap_px) * (net_h - c.tile_overlap_px)
                / (width as f32 * height as f32))
                .sqrt();
        wanted.min(affordable).min(1.0)
    }

    /// The whole-photo pass and the tiles on `img`, each of whose pixels is `factor` pixels
    /// of the photo; boxes in `img`'s pixels, not yet merged.
    fn detect_at(&self, img: &RgbImage, factor: f32) -> Result<Vec<Detection>, VisionError> {
        let c = self.config;
        let min_face = c.min_face_px / factor;
        let whole = Region::whole(img.width(), img.height());
        let mut found = self.detect_in(img, whole, c.score_threshold, min_face)?;
        let (width, height) = (img.width() as f32, img.height() as f32);
        let (net_w, net_h) = (DETECTOR_WIDTH as f32, DETECTOR_HEIGHT as f32);
        let whole_scale = (net_w / width).min(net_h / height);
        let tile_scale = self.tile_scale(img.width(), img.height(), factor);
        if tile_scale > whole_scale * 1.5 {
            let tile_w = (net_w / tile_scale).round() as u32;
            let tile_h = (net_h / tile_scale).round() as u32;
            let overlap = (c.tile_overlap_px / tile_scale).round() as u32;
            let largest = c.tile_overlap_px / tile_scale;
            for tile in tiles(img.width(), img.height(), tile_w, tile_h, overlap) {
                found.extend(
                    self.detect_in(img, tile, c.tile_score_threshold, min_face)?
                        .into_iter()
                        .filter(|d| {
                            d.bbox.width.max(d.bbox.height) < largest
                                && !cuts(&tile, &d.bbox, img.width(), img.height())
                        }),
                );
            }
        }
        Ok(found)
    }

    /// One pass over `region` of `img`, letterboxed into the input.
    fn detect_in(
        &self,
        img: &RgbImage,
        region: Region,
        threshold: f32,
        min_face_px: f32,
    ) -> Result<Vec<Detection>, VisionError> {
        let lb = Letterbox::fit(region.width, region.height, DETECTOR_WIDTH, DETECTOR_HEIGHT);
        let canvas = lb.apply(img, region, DETECTOR_WIDTH, DETECTOR_HEIGHT, [0, 0, 0]);
        let raw = self.run_tensor(&model::nchw(&canvas, Channels::Bgr))?;
        let mut found = self.decode(&raw, &lb, region, threshold);
        for d in &mut found {
            d.bbox = d.bbox.clamp_to(img.width() as f32, img.height() as f32);
        }
        found.retain(|d| d.bbox.width.min(d.bbox.height) >= min_face_px);
        Ok(found)
    }

    /// Run the network on a prepared input (`1*3*480*640` floats, NCHW, BGR 0..255).
    ///
    /// # Errors
    /// [`VisionError::Input`] for a wrong length; [`VisionError::Inference`] or
    /// [`VisionError::Output`] when the model fails.
    pub fn run_tensor(&self, nchw: &[f32]) -> Result<RawDetections, VisionError> {
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
        if out.len() != 12 {
            return Err(VisionError::Output(format!(
                "expected 12 outputs, got {}",
                out.len()
            )));
        }
        // Outputs in the file's order: cls_8, cls_16, cls_32, obj_*, bbox_*, kps_*.
        let flat = |i: usize, per_anchor: usize| -> Result<Vec<f32>, VisionError> {
            let level = i % 3;
            let anchors = anchors(STRIDES[level]);
            let v: Vec<f32> = out[i]
                .to_plain_array_view::<f32>()
                .map_err(VisionError::inference)?
                .iter()
                .copied()
                .collect();
            if v.len() != anchors * per_anchor {
                return Err(VisionError::Output(format!(
                    "output {i}: {} values, expected {}",
                    v.len(),
                    anchors * per_anchor
                )));
            }
            Ok(v)
        };
        let level = |first: usize, per_anchor: usize| -> Result<[Vec<f32>; 3], VisionError> {
            Ok([
                flat(first, per_anchor)?,
                flat(first + 1, per_anchor)?,
                flat(first + 2, per_anchor)?,
            ])
        };
        Ok(RawDetections {
            cls: level(0, 1)?,
            obj: level(3, 1)?,
            bbox: level(6, 4)?,
            kps: level(9, 10)?,
        })
    }

    /// Anchors above the threshold to boxes and landmarks in original pixels, merged by NMS.
    fn decode(
        &self,
        raw: &RawDetections,
        lb: &Letterbox,
        region: Region,
        threshold: f32,
    ) -> Vec<Detection> {
        let to_original = |x: f32, y: f32| {
            let (x, y) = lb.to_original(x, y);
            (x + region.x as f32, y + region.y as f32)
        };
        let mut candidates = Vec::new();
        for (level, &stride) in STRIDES.iter().enumerate() {
            let cols = DETECTOR_WIDTH as usize / stride;
            let s = stride as f32;
            for (i, (&cls, &obj)) in raw.cls[level].iter().zip(&raw.obj[level]).enumerate() {
                let score = (cls.clamp(0.0, 1.0) * obj.clamp(0.0, 1.0)).sqrt();
                if score < threshold {
                    continue;
                }
                let (row, col) = ((i / cols) as f32, (i % cols) as f32);
                let b = &raw.bbox[level][4 * i..4 * i + 4];
                let (cx, cy) = ((col + b[0]) * s, (row + b[1]) * s);
                let (w, h) = (b[2].exp() * s, b[3].exp() * s);
                let k = &raw.kps[level][10 * i..10 * i + 10];
                let mut landmarks = [[0.0f32; 2]; 5];
                for (j, point) in landmarks.iter_mut().enumerate() {
                    let (x, y) = to_original((col + k[2 * j]) * s, (row + k[2 * j + 1]) * s);
                    *point = [x, y];
                }
                let (x0, y0) = to_original(cx - w / 2.0, cy - h / 2.0);
                let (x1, y1) = to_original(cx + w / 2.0, cy + h / 2.0);
                candidates.push(Detection {
                    bbox: PixelBox {
                        x: x0,
                        y: y0,
                        width: x1 - x0,
                        height: y1 - y0,
                    },
                    score,
                    landmarks: Some(landmarks),
                });
            }
        }
        suppress(candidates, self.config.iou_threshold)
    }
}

/// Anchors of one output level.
fn anchors(stride: usize) -> usize {
    (DETECTOR_WIDTH as usize / stride) * (DETECTOR_HEIGHT as usize / stride)
}
