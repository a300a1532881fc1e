//! Number tags on annotated photos: face `n` of the list gets "n" in a small tag of its box's
//! colour at the box's top-left corner, white digits drawn from a 3x5 pixel font scaled to the
//! photo, so the annotated image numbers faces as the web client and the API do. A tag that
//! would leave the photo is moved inside it.

use crate::annotate::{AnnotatedBox, MASKED_COLOUR, Rect, UNMASKED_COLOUR, fill, line_thickness};
use image::{Rgb, RgbImage};

/// The digits 0 to 9, five rows of three pixels each (bit 2 is the left column).
const DIGITS: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b010, 0b010, 0b010],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];
const WHITE: Rgb<u8> = Rgb([255, 255, 255]);

/// Draws the number of each box (its place in `boxes`, from 1) in a tag at its top-left
/// corner. Boxes that cannot be drawn get no tag (their number is still used up, so numbers
/// always match the list). Never panics.
pub fn number_in_place(img: &mut RgbImage, boxes: &[AnnotatedBox]) {
    let (width, height) = img.dimensions();
    // One font pixel is as wide as the box lines (at least 2 image pixels).
    let unit = i64::from(line_thickness(width, height));
    for (index, b) in boxes.iter().enumerate() {
        let Some(rect) = Rect::covering(b) else {
            continue;
        };
        let text = (index + 1).to_string();
        let digits = i64::try_from(text.len()).unwrap_or(1);
        let tag_width = unit * (4 * digits + 1);
        let tag_height = unit * 7;
        let left = rect.left.min(i64::from(width) - tag_width).max(0);
        let top = rect.top.min(i64::from(height) - tag_height).max(0);
        let colour = if b.masked {
            MASKED_COLOUR
        } else {
            UNMASKED_COLOUR
        };
        fill(
            img,
            Rect {
                left,
                top,
                right: left + tag_width,
                bottom: top + tag_height,
            },
            colour,
        );
        for (place, digit) in text.bytes().enumerate() {
            let glyph = DIGITS[usize::from(digit - b'0')];
            let x0 = left + unit * (1 + 4 * i64::try_from(place).unwrap_or(0));
            for (row, bits) in (0_i64..).zip(glyph) {
                for column in 0..3_i64 {
                    if bits & (0b100 >> column) != 0 {
                        let x = x0 + column * unit;
                        let y = top + unit * (1 + row);
                        fill(
                            img,
                            Rect {
                                left: x,
                                top: y,
                                right: x + unit,
                                bottom: y + unit,
                            },
                            WHITE,
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(x: f32, y: f32, masked: bool) -> AnnotatedBox {
        AnnotatedBox {
            x,
            y,
            width: 60.0,
            height: 60.0,
            masked,
        }
    }

    /// The white pixels of the image, as (x, y).
    fn white(img: &RgbImage) -> Vec<(u32, u32)> {
        img.enumerate_pixels()
            .filter(|(_, _, p)| **p == WHITE)
            .map(|(x, y, _)| (x, y))
            .collect()
    }

    #[test]
    fn each_box_gets_its_place_in_the_list_in_a_tag_of_its_colour() {
        let mut img = RgbImage::new(200, 100);
        number_in_place(
            &mut img,
            &[boxed(10.0, 10.0, true), boxed(100.0, 20.0, false)],
        );
        // Unit 2: the tag is 10x14 px, the digit inside its 1-unit margin.
        assert_eq!(*img.get_pixel(10, 10), MASKED_COLOUR);
        assert_eq!(*img.get_pixel(100, 20), UNMASKED_COLOUR);
        let first: Vec<_> = white(&img).into_iter().filter(|(x, _)| *x < 50).collect();
        assert!(
            first
                .iter()
                .all(|&(x, y)| (12..18).contains(&x) && (12..22).contains(&y))
        );
        // "1" has 8 lit font pixels of 2x2 image pixels; "2" has 11.
        assert_eq!(first.len(), 8 * 4);
        assert_eq!(white(&img).len() - first.len(), 11 * 4);
    }

    #[test]
    fn tags_stay_inside_the_photo_and_two_digit_numbers_fit() {
        let mut img = RgbImage::new(100, 100);
        let mut boxes: Vec<AnnotatedBox> = (0..9).map(|_| boxed(-500.0, -500.0, true)).collect();
        boxes.push(boxed(95.0, 95.0, false));
        number_in_place(&mut img, &boxes);
        // Box 10 starts 5 px from the corner: its 18x14 tag is moved inside.
        assert_eq!(*img.get_pixel(82, 86), UNMASKED_COLOUR);
        assert_eq!(*img.get_pixel(99, 99), UNMASKED_COLOUR);
        assert!(!white(&img).is_empty());
        // Boxes wholly outside get no tag of their own drawn at the edge of the photo.
        let mut empty = RgbImage::new(100, 100);
        number_in_place(&mut empty, &[boxed(f32::NAN, 0.0, true)]);
        assert!(white(&empty).is_empty());
    }
}
