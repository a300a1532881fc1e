//! Face embeddings: OpenCV Zoo's SFace (Apache-2.0) run by tract, on faces aligned from the
//! detector's five landmarks.
//!
//! Each face is mapped by a similarity transform (rotation, uniform scale, shift; least
//! squares over the five points) onto the standard 112x112 ArcFace template, sampled
//! bilinearly, and fed as `[1, 3, 112, 112]` RGB 0..255 (the graph normalises). The 128
//! outputs are L2-normalised, so the cosine similarity of two faces is their dot product.

use std::path::Path;

use image::RgbImage;
use tract_onnx::prelude::*;

use crate::error::VisionError;
use crate::model::{self, Channels, Plan};

/// Side of the aligned face in pixels.
pub const ALIGNED_SIZE: u32 = 112;
/// Length of an embedding.
pub const EMBEDDING_LEN: usize = 128;
/// Cosine similarity from which two faces are deemed the same person (chosen from the
/// genuine and impostor figures in `models/README.md`).
pub const SAME_PERSON_THRESHOLD: f32 = 0.45;

/// Where the five landmarks (left eye, right eye, nose, left and right mouth corner, as
/// seen) lie in an aligned 112x112 face: the ArcFace template.
pub const TEMPLATE: [[f32; 2]; 5] = [
    [38.2946, 51.6963],
    [73.5318, 51.5014],
    [56.0252, 71.7366],
    [41.5493, 92.3655],
    [70.7299, 92.2041],
];

/// A unit-length face embedding.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding(pub [f32; EMBEDDING_LEN]);

impl Embedding {
    /// Cosine similarity, -1..1 (1: the same face).
    pub fn similarity(&self, other: &Embedding) -> f32 {
        self.0.iter().zip(&other.0).map(|(a, b)| a * b).sum()
    }
}

/// The SFace model loaded and optimised once; `embed` may be called from many threads.
#[derive(Debug, Clone)]
pub struct FaceEmbedder {
    plan: Plan,
}

impl FaceEmbedder {
    /// Load the (unpacked, float32) SFace ONNX file at `path`.
    ///
    /// # Errors
    /// [`VisionError::Io`] when the file cannot be read, [`VisionError::Load`] when it is not
    /// a model of the expected shape.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, VisionError> {
        Self::from_bytes(&model::read(path.as_ref())?)
    }

    /// Load SFace from the bytes of its ONNX file.
    ///
    /// # Errors
    /// [`VisionError::Load`] when the bytes are not a model of the expected shape.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, VisionError> {
        let side = ALIGNED_SIZE as usize;
        Ok(Self {
            plan: model::plan(bytes, [1, 3, side, side])?,
        })
    }

    /// The embedding of the face whose landmarks are `landmarks` in `img`.
    ///
    /// # Errors
    /// [`VisionError::Input`] when the landmarks are degenerate (all in one point);
    /// [`VisionError::Inference`] or [`VisionError::Output`] when the model fails.
    pub fn embed(
        &self,
        img: &RgbImage,
        landmarks: &[[f32; 2]; 5],
    ) -> Result<Embedding, VisionError> {
        let aligned = align(img, landmarks)?;
        self.embed_aligned(&aligned)
    }

    /// The embedding of a face already aligned to [`TEMPLATE`] (112x112).
    ///
    /// # Errors
    /// [`VisionError::Input`] for another size; model failures as in [`Self::embed`].
    pub fn embed_aligned(&self, aligned: &RgbImage) -> Result<Embedding, VisionError> {
        if aligned.dimensions() != (ALIGNED_SIZE, ALIGNED_SIZE) {
            return Err(VisionError::Input(format!(
                "an aligned face is {ALIGNED_SIZE}x{ALIGNED_SIZE}"
            )));
        }
        let raw = self.run_tensor(&model::nchw(aligned, Channels::Rgb))?;
        let norm = raw.iter().map(|v| v * v).sum::<f32>().sqrt();
        if !norm.is_normal() {
            return Err(VisionError::Output("the embedding is all zeros".into()));
        }
        let mut out = [0.0f32; EMBEDDING_LEN];
        for (o, v) in out.iter_mut().zip(raw) {
            *o = v / norm;
        }
        Ok(Embedding(out))
    }

    /// Run the network on a prepared input (`1*3*112*112` floats, NCHW, RGB 0..255) and
    /// return its 128 raw outputs.
    ///
    /// # Errors
    /// [`VisionError::Input`] for a wrong length; [`VisionError::Inference`] or
    /// [`VisionError::Output`] when the model fails.
    pub fn run_tensor(&self, nchw: &[f32]) -> Result<Vec<f32>, VisionError> {
        let side = ALIGNED_SIZE as usize;
        let shape = [1, 3, side, side];
        if nchw.len() != shape.iter().product::<usize>() {
            return Err(VisionError::Input(format!(
                "embedder input needs {shape:?} floats"
            )));
        }
        let input = Tensor::from_shape(&shape, nchw).map_err(VisionError::inference)?;
        let out = self
            .plan
            .run(tvec!(input.into()))
            .map_err(VisionError::inference)?;
        let values: Vec<f32> = out
            .first()
            .ok_or_else(|| VisionError::Output("no output".into()))?
            .to_plain_array_view::<f32>()
            .map_err(VisionError::inference)?
            .iter()
            .copied()
            .collect();
        if values.len() != EMBEDDING_LEN {
            return Err(VisionError::Output(format!(
                "{} outputs, expected {EMBEDDING_LEN}",
                values.len()
            )));
        }
        Ok(values)
    }
}

/// A similarity transform `p -> a * p + t` with `a` a complex number (scale and rotation).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Real part of `a`: `scale * cos(angle)`.
    pub a_re: f32,
    /// Imaginary part of `a`: `scale * sin(angle)`.
    pub a_im: f32,
    /// Shift along x.
    pub tx: f32,
    /// Shift along y.
    pub ty: f32,
}

impl Similarity {
    /// The least-squares similarity mapping the points `from` onto `to` (no reflection):
    /// with the points centred, `a = sum(conj(from) * to) / sum(|from|^2)`.
    ///
    /// # Errors
    /// [`VisionError::Input`] when `from` has all its points in one place, or the two lists
    /// differ in length.
    pub fn fit(from: &[[f32; 2]], to: &[[f32; 2]]) -> Result<Self, VisionError> {
        if from.len() != to.len() || from.is_empty() {
            return Err(VisionError::Input(
                "two lists of as many points are needed".into(),
            ));
        }
        let count = from.len() as f32;
        let mean = |p: &[[f32; 2]]| {
            let (sx, sy) = p.iter().fold((0.0, 0.0), |(x, y), q| (x + q[0], y + q[1]));
            (sx / count, sy / count)
        };
        let (fx, fy) = mean(from);
        let (gx, gy) = mean(to);
        let (mut re, mut im, mut energy) = (0.0f32, 0.0f32, 0.0f32);
        for (p, q) in from.iter().zip(to) {
            let (px, py) = (p[0] - fx, p[1] - fy);
            let (qx, qy) = (q[0] - gx, q[1] - gy);
            // conj(p) * q
            re += px * qx + py * qy;
            im += px * qy - py * qx;
            energy += px * px + py * py;
        }
        if energy < 1e-6 {
            return Err(VisionError::Input(
                "the landmarks are all in one place".into(),
            ));
        }
        let (a_re, a_im) = (re / energy, im / energy);
        Ok(Self {
            a_re,
            a_im,
            tx: gx - (a_re * fx - a_im * fy),
            ty: gy - (a_im * fx + a_re * fy),
        })
    }

    /// Where the transform takes `(x, y)`.
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        (
            self.a_re * x - self.a_im * y + self.tx,
            self.a_im * x + self.a_re * y + self.ty,
        )
    }

    /// The inverse transform.
    fn inverse(&self) -> Self {
        let d = self.a_re * self.a_re + self.a_im * self.a_im;
        let (a_re, a_im) = (self.a_re / d, -self.a_im / d);
        Self {
            a_re,
            a_im,
            tx: -(a_re * self.tx - a_im * self.ty),
            ty: -(a_im * self.tx + a_re * self.ty),
        }
    }
}

/// The face with these landmarks, aligned to [`TEMPLATE`] in a 112x112 image (black where
/// the face runs off the photo). Fitted on all five points, as ArcFace-style models expect.
/// Under a mask the detector's points drift and the aligned face with them (fitting on the
/// eyes and nose alone, or the eyes alone, did not help: a masked face still matched its bare
/// self at about 0.2), so masked faces are not matched reliably yet.
///
/// # Errors
/// [`VisionError::Input`] when the landmarks are degenerate.
pub fn align(img: &RgbImage, landmarks: &[[f32; 2]; 5]) -> Result<RgbImage, VisionError> {
    let back = Similarity::fit(landmarks, &TEMPLATE)?.inverse();
    Ok(RgbImage::from_fn(ALIGNED_SIZE, ALIGNED_SIZE, |u, v| {
        let (x, y) = back.apply(u as f32, v as f32);
        image::Rgb(bilinear(img, x, y))
    }))
}

/// The colour at a fractional position, black outside the image.
pub(crate) fn bilinear(img: &RgbImage, x: f32, y: f32) -> [u8; 3] {
    let (w, h) = (img.width() as f32, img.height() as f32);
    if !(x >= 0.0 && y >= 0.0 && x <= w - 1.0 && y <= h - 1.0) {
        return [0, 0, 0];
    }
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as u32, y0 as u32);
    let (x1, y1) = (
        (x0 + 1).min(img.width() - 1),
        (y0 + 1).min(img.height() - 1),
    );
    let p = |x, y| img.get_pixel(x, y).0;
    let (a, b, c, d) = (p(x0, y0), p(x1, y0), p(x0, y1), p(x1, y1));
    let mut out = [0u8; 3];
    for (i, o) in out.iter_mut().enumerate() {
        let top = f32::from(a[i]) * (1.0 - fx) + f32::from(b[i]) * fx;
        let bottom = f32::from(c[i]) * (1.0 - fx) + f32::from(d[i]) * fx;
        *o = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_recovers_a_known_similarity() {
        let truth = Similarity {
            a_re: 0.8,
            a_im: 0.3,
            tx: 12.0,
            ty: -4.0,
        };
        let from = TEMPLATE;
        let mut to = [[0.0; 2]; 5];
        for (t, f) in to.iter_mut().zip(&from) {
            let (x, y) = truth.apply(f[0], f[1]);
            *t = [x, y];
        }
        let fit = Similarity::fit(&from, &to).expect("fits");
        for (got, want) in [
            (fit.a_re, truth.a_re),
            (fit.a_im, truth.a_im),
            (fit.tx, truth.tx),
            (fit.ty, truth.ty),
        ] {
            assert!((got - want).abs() < 1e-3, "{fit:?} vs {truth:?}");
        }
        let (x, y) = fit.inverse().apply(to[2][0], to[2][1]);
        assert!((x - from[2][0]).abs() < 1e-3 && (y - from[2][1]).abs() < 1e-3);
    }

    #[test]
    fn landmarks_in_one_point_are_refused() {
        assert!(Similarity::fit(&[[5.0, 5.0]; 5], &TEMPLATE).is_err());
    }

    #[test]
    fn aligning_a_face_at_twice_the_template_size_halves_it() {
        // A photo whose "face" is the template scaled by 2 and shifted: a bright square
        // between the eyes lands where the template puts it.
        let mut img = RgbImage::new(300, 300);
        let landmarks = TEMPLATE.map(|[x, y]| [2.0 * x + 50.0, 2.0 * y + 30.0]);
        for y in 0..20 {
            for x in 0..20 {
                img.put_pixel(
                    2 * 56 + 50 - 10 + x,
                    2 * 51 + 30 - 10 + y,
                    image::Rgb([255, 0, 0]),
                );
            }
        }
        let aligned = align(&img, &landmarks).expect("aligns");
        assert_eq!(aligned.get_pixel(56, 51).0, [255, 0, 0]);
        assert_eq!(aligned.get_pixel(10, 100).0, [0, 0, 0]);
    }

    #[test]
    fn similarity_of_unit_vectors() {
        let mut a = [0.0; EMBEDDING_LEN];
        let mut b = [0.0; EMBEDDING_LEN];
        a[0] = 1.0;
        b[1] = 1.0;
        assert_eq!(Embedding(a).similarity(&Embedding(a)), 1.0);
        assert_eq!(Embedding(a).similarity(&Embedding(b)), 0.0);
    }
}
