//! Drawing face boxes: green for a face with a mask, red for one without.

use image::{Rgb, RgbImage};

/// The colour of a box around a face wearing a mask.
pub const MASKED_COLOUR: Rgb<u8> = Rgb([22, 163, 74]);
/// The colour of a box around a face without a mask.
pub const UNMASKED_COLOUR: Rgb<u8> = Rgb([220, 38, 38]);

/// One face box to draw, in pixels of the (upright) image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnnotatedBox {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width; a box with a width that is not positive and finite is not drawn.
    pub width: f32,
    /// Height; a box with a height that is not positive and finite is not drawn.
    pub height: f32,
    /// Whether the face wears a mask (green) or not (red).
    pub masked: bool,
}

/// The line thickness used for an image of this size: `max(2, min(width, height) / 250)`
/// pixels, so boxes stay visible on large photos and thin on small ones.
#[must_use]
pub fn line_thickness(width: u32, height: u32) -> u32 {
    (width.min(height) / 250).max(2)
}

/// Returns a copy of `img` with `boxes` drawn on it. See [`annotate_in_place`], which avoids
/// the copy.
#[must_use]
pub fn annotate(img: &RgbImage, boxes: &[AnnotatedBox]) -> RgbImage {
    let mut out = img.clone();
    annotate_in_place(&mut out, boxes);
    out
}

/// Draws `boxes` on `img`: a rectangle outline per box, drawn inside the box's edges with
/// [`line_thickness`], in [`MASKED_COLOUR`] or [`UNMASKED_COLOUR`].
///
/// Boxes are clipped to the image: the parts outside are not drawn, a box wholly outside draws
/// nothing, and boxes with non-finite or non-positive sizes are skipped. Never panics.
pub fn annotate_in_place(img: &mut RgbImage, boxes: &[AnnotatedBox]) {
    let (width, height) = img.dimensions();
    let thickness = i64::from(line_thickness(width, height));
    for b in boxes {
        let Some(rect) = Rect::covering(b) else {
            continue;
        };
        let colour = if b.masked {
            MASKED_COLOUR
        } else {
            UNMASKED_COLOUR
        };
        let t = thickness;
        // Top, bottom, left and right bands; they overlap in the corners, which is harmless.
        let bands = [
            Rect {
                bottom: rect.top + t,
                ..rect
            },
            Rect {
                top: rect.bottom - t,
                ..rect
            },
            Rect {
                right: rect.left + t,
                ..rect
            },
            Rect {
                left: rect.right - t,
                ..rect
            },
        ];
        for band in bands {
            fill(img, band.intersect(&rect), colour);
        }
    }
}

/// A pixel rectangle, `left..right` by `top..bottom` (ends excluded), in signed coordinates so
/// boxes may lie partly or wholly outside the image.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rect {
    pub(crate) left: i64,
    pub(crate) top: i64,
    pub(crate) right: i64,
    pub(crate) bottom: i64,
}

impl Rect {
    /// The whole pixels a box touches, or `None` for a box that cannot be drawn.
    pub(crate) fn covering(b: &AnnotatedBox) -> Option<Rect> {
        let values = [b.x, b.y, b.width, b.height];
        if values.iter().any(|v| !v.is_finite()) || b.width <= 0.0 || b.height <= 0.0 {
            return None;
        }
        // Float-to-int casts saturate, so huge values stay in range.
        let rect = Rect {
            left: f64::from(b.x).floor() as i64,
            top: f64::from(b.y).floor() as i64,
            right: (f64::from(b.x) + f64::from(b.width)).ceil() as i64,
            bottom: (f64::from(b.y) + f64::from(b.height)).ceil() as i64,
        };
        (rect.left < rect.right && rect.top < rect.bottom).then_some(rect)
    }

    fn intersect(&self, other: &Rect) -> Rect {
        Rect {
            left: self.left.max(other.left),
            top: self.top.max(other.top),
            right: self.right.min(other.right),
            bottom: self.bottom.min(other.bottom),
        }
    }
}

/// Fills the part of `rect` inside the image with `colour`.
pub(crate) fn fill(img: &mut RgbImage, rect: Rect, colour: Rgb<u8>) {
    let (width, height) = img.dimensions();
    let clip = |v: i64, max: u32| usize::try_from(v.clamp(0, i64::from(max))).unwrap_or(0);
    let (left, right) = (clip(rect.left, width), clip(rect.right, width));
    let (top, bottom) = (clip(rect.top, height), clip(rect.bottom, height));
    if left >= right || top >= bottom {
        return;
    }
    let row_len = usize::try_from(width).unwrap_or(0) * 3;
    let buf: &mut [u8] = img;
    for row in buf.chunks_exact_mut(row_len).take(bottom).skip(top) {
        if let Some(span) = row.get_mut(left * 3..right * 3) {
            for px in span.chunks_exact_mut(3) {
                px.copy_from_slice(&colour.0);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thickness_grows_with_the_short_side() {
        assert_eq!(line_thickness(100, 100), 2);
        assert_eq!(line_thickness(6000, 4000), 16);
        assert_eq!(line_thickness(0, 0), 2);
    }

    #[test]
    fn unusable_boxes_are_skipped() {
        let mut img = RgbImage::new(10, 10);
        let bad = [
            (f32::NAN, 0.0, 5.0, 5.0),
            (0.0, 0.0, f32::INFINITY, 5.0),
            (0.0, 0.0, -5.0, 5.0),
            (0.0, 0.0, 5.0, 0.0),
        ];
        let boxes: Vec<_> = bad
            .iter()
            .map(|&(x, y, width, height)| AnnotatedBox {
                x,
                y,
                width,
                height,
                masked: true,
            })
            .collect();
        annotate_in_place(&mut img, &boxes);
        assert!(img.pixels().all(|p| p.0 == [0, 0, 0]));
    }

    #[test]
    fn an_empty_image_is_left_alone() {
        let mut img = RgbImage::new(0, 0);
        let b = AnnotatedBox {
            x: 0.0,
            y: 0.0,
            width: 5.0,
            height: 5.0,
            masked: false,
        };
        annotate_in_place(&mut img, &[b]);
        assert_eq!(img.dimensions(), (0, 0));
    }
}
