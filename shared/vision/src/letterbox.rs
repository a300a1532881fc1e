//! Letterboxing: fit an image into a fixed model input without distorting it.

use facelens_imaging::{Area, resize_into};
use image::{Rgb, RgbImage};

/// How an image was placed in the model input, so boxes can be mapped back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Letterbox {
    /// Model pixels per original pixel.
    pub scale: f32,
    /// Left padding in model pixels.
    pub pad_x: f32,
    /// Top padding in model pixels.
    pub pad_y: f32,
}

impl Letterbox {
    /// The placement of a `src_w` x `src_h` image in a `dst_w` x `dst_h` input.
    pub fn fit(src_w: u32, src_h: u32, dst_w: u32, dst_h: u32) -> Self {
        let scale = (dst_w as f32 / src_w.max(1) as f32).min(dst_h as f32 / src_h.max(1) as f32);
        let w = (src_w as f32 * scale).round();
        let h = (src_h as f32 * scale).round();
        Letterbox {
            scale,
            pad_x: ((dst_w as f32 - w) / 2.0).floor(),
            pad_y: ((dst_h as f32 - h) / 2.0).floor(),
        }
    }

    /// Map a point from model input pixels back to original image pixels.
    pub fn to_original(&self, x: f32, y: f32) -> (f32, f32) {
        ((x - self.pad_x) / self.scale, (y - self.pad_y) / self.scale)
    }

    /// Resize the `area` of `img` (all of it, or a tile) and paste it on a `dst_w` x `dst_h`
    /// canvas of `fill`. At its own size (a tile searched at full resolution) it is copied as
    /// it is: a resampling filter at scale 1 costs time and changes nothing. An `area` that is
    /// not inside `img` leaves the canvas all `fill`.
    pub fn apply(
        &self,
        img: &RgbImage,
        area: Area,
        dst_w: u32,
        dst_h: u32,
        fill: [u8; 3],
    ) -> RgbImage {
        let w = ((area.width as f32 * self.scale).round() as u32).clamp(1, dst_w);
        let h = ((area.height as f32 * self.scale).round() as u32).clamp(1, dst_h);
        let mut canvas = RgbImage::from_pixel(dst_w, dst_h, Rgb(fill));
        let to = Area {
            x: (self.pad_x.max(0.0) as u32).min(dst_w - w),
            y: (self.pad_y.max(0.0) as u32).min(dst_h - h),
            width: w,
            height: h,
        };
        // Both areas are checked by `resize_into`; a caller's wrong area leaves the fill.
        let _ = resize_into(img, area, &mut canvas, to);
        canvas
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_wide_image_when_fitted_then_padding_is_vertical_and_mapping_inverts() {
        let lb = Letterbox::fit(1280, 480, 640, 480);
        assert!((lb.scale - 0.5).abs() < 1e-6);
        assert_eq!(lb.pad_x, 0.0);
        assert_eq!(lb.pad_y, 120.0);
        let (x, y) = lb.to_original(320.0, 240.0);
        assert!((x - 640.0).abs() < 1e-3 && (y - 240.0).abs() < 1e-3);
    }

    #[test]
    fn given_image_when_applied_then_canvas_has_model_size_and_fill_in_padding() {
        let img = RgbImage::from_pixel(100, 50, image::Rgb([200, 10, 10]));
        let lb = Letterbox::fit(100, 50, 64, 64);
        let out = lb.apply(&img, Area::whole(100, 50), 64, 64, [0, 0, 0]);
        assert_eq!(out.dimensions(), (64, 64));
        assert_eq!(out.get_pixel(32, 0).0, [0, 0, 0]);
        assert_eq!(out.get_pixel(32, 32).0, [200, 10, 10]);
    }

    #[test]
    fn given_a_view_at_its_own_size_when_applied_then_its_pixels_are_copied_exactly() {
        let img = RgbImage::from_fn(8, 6, |x, y| image::Rgb([x as u8 * 30, y as u8 * 40, 7]));
        let tile = Area {
            x: 2,
            y: 1,
            width: 4,
            height: 3,
        };
        let lb = Letterbox::fit(4, 3, 4, 4);
        let out = lb.apply(&img, tile, 4, 4, [0, 0, 0]);
        assert_eq!(lb.scale, 1.0);
        for (x, y) in [(0, 0), (3, 2), (1, 1)] {
            assert_eq!(
                *out.get_pixel(x, y + lb.pad_y as u32),
                *img.get_pixel(x + 2, y + 1)
            );
        }
    }
}
