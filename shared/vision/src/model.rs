//! What every model of this crate does the same way: read the ONNX file, type and optimise it
//! for one input shape, and lay an image out as NCHW planes.

use std::path::Path;
use std::sync::Arc;

use image::RgbImage;
use tract_onnx::prelude::*;

use crate::error::VisionError;

/// An optimised, runnable model; cheap to clone and safe to run from many threads.
pub(crate) type Plan = Arc<TypedRunnableModel>;

/// The bytes of the model file at `path`.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, VisionError> {
    std::fs::read(path).map_err(|source| VisionError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The model in `bytes`, typed for one `f32` input of `shape` and optimised. The output
/// shapes the file declares are dropped and inferred again, since some files declare them for
/// another input size.
pub(crate) fn plan(bytes: &[u8], shape: [usize; 4]) -> Result<Plan, VisionError> {
    let mut model = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(bytes))
        .map_err(VisionError::load)?;
    model
        .set_input_fact(0, f32::fact(shape).into())
        .map_err(VisionError::load)?;
    for output in 0..model.outputs.len() {
        model
            .set_output_fact(output, InferenceFact::default())
            .map_err(VisionError::load)?;
    }
    model
        .into_optimized()
        .and_then(|m| m.into_runnable())
        .map_err(VisionError::load)
}

/// The channel order a model takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Channels {
    /// Red, green, blue planes.
    Rgb,
    /// Blue, green, red planes.
    Bgr,
}

/// RGB image to NCHW floats, 0..255, in the planes' `order`.
pub(crate) fn nchw(img: &RgbImage, order: Channels) -> Vec<f32> {
    let plane = img.width() as usize * img.height() as usize;
    let mut out = vec![0.0f32; 3 * plane];
    let (first, rest) = out.split_at_mut(plane);
    let (green, last) = rest.split_at_mut(plane);
    let (red, blue) = match order {
        Channels::Rgb => (first, last),
        Channels::Bgr => (last, first),
    };
    for (((px, r), g), b) in img.as_raw().chunks_exact(3).zip(red).zip(green).zip(blue) {
        *r = f32::from(px[0]);
        *g = f32::from(px[1]);
        *b = f32::from(px[2]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planes_come_in_the_order_asked_and_keep_0_to_255() {
        let img = RgbImage::from_fn(3, 2, |x, y| image::Rgb([x as u8, 127, 255 - y as u8]));
        let bgr = nchw(&img, Channels::Bgr);
        assert_eq!(bgr.len(), 18);
        assert_eq!(bgr[..6], [255.0, 255.0, 255.0, 254.0, 254.0, 254.0]);
        assert!(bgr[6..12].iter().all(|&x| x == 127.0));
        assert_eq!(bgr[12..18], [0.0, 1.0, 2.0, 0.0, 1.0, 2.0]);
        let rgb = nchw(&img, Channels::Rgb);
        assert_eq!(rgb[..6], bgr[12..18]);
        assert_eq!(rgb[12..18], bgr[..6]);
    }
}
