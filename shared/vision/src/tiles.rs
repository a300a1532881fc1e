//! Overlapping tiles over a large photo, for a second detector pass that sees small
//! faces at a larger scale than the whole-photo pass.

use crate::types::PixelBox;
use facelens_imaging::Area;

/// A rectangle of the photo, in its pixels: the imaging crate's [`Area`], which the detector
/// letterboxes from.
pub type Region = Area;

/// How close (pixels) to a tile's inner edge a box counts as cut by it.
const EDGE_PX: f32 = 1.0;

/// Whether `bbox` reaches an edge of `region` that lies inside the photo (so the face may go on
/// beyond it, and another tile sees it whole).
pub fn cuts(region: &Region, bbox: &PixelBox, photo_width: u32, photo_height: u32) -> bool {
    let (x0, y0) = (region.x as f32, region.y as f32);
    let (x1, y1) = (x0 + region.width as f32, y0 + region.height as f32);
    (region.x > 0 && bbox.x <= x0 + EDGE_PX)
        || (region.y > 0 && bbox.y <= y0 + EDGE_PX)
        || (region.x + region.width < photo_width && bbox.x + bbox.width >= x1 - EDGE_PX)
        || (region.y + region.height < photo_height && bbox.y + bbox.height >= y1 - EDGE_PX)
}

/// Tiles of `tile_w` x `tile_h` pixels (less where the photo is smaller) covering a `width`
/// x `height` photo, neighbours overlapping by at least `overlap` pixels; the last tile of a
/// row or column is moved back inside the photo rather than cut short.
pub fn tiles(width: u32, height: u32, tile_w: u32, tile_h: u32, overlap: u32) -> Vec<Region> {
    let xs = starts(width, tile_w, overlap);
    let ys = starts(height, tile_h, overlap);
    ys.iter()
        .flat_map(|&y| {
            xs.iter().map(move |&x| Region {
                x,
                y,
                width: tile_w.min(width),
                height: tile_h.min(height),
            })
        })
        .collect()
}

/// Start positions along one axis.
fn starts(length: u32, side: u32, overlap: u32) -> Vec<u32> {
    if length <= side {
        return vec![0];
    }
    let step = side.saturating_sub(overlap).max(1);
    let last = length - side;
    let mut out: Vec<u32> = (0..).map(|i| i * step).take_while(|&s| s < last).collect();
    out.push(last);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x: f32, y: f32, w: f32, h: f32) -> PixelBox {
        PixelBox {
            x,
            y,
            width: w,
            height: h,
        }
    }

    #[test]
    fn tiles_cover_the_photo_with_the_overlap_and_stay_inside() {
        let (w, h, side, overlap) = (4000, 3000, 1600, 200);
        let all = tiles(w, h, side, side, overlap);
        assert_eq!(all.len(), 3 * 2);
        for t in &all {
            assert!(t.x + t.width <= w && t.y + t.height <= h, "{t:?}");
            assert_eq!((t.width, t.height), (side, side));
        }
        // Every pixel is in some tile, and neighbours share at least `overlap` pixels.
        let xs = starts(w, side, overlap);
        assert_eq!(xs, vec![0, 1400, 2400]);
        for pair in xs.windows(2) {
            assert!(pair[0] + side >= pair[1] + overlap);
        }
        assert_eq!(starts(h, side, overlap), vec![0, 1400]);
    }

    #[test]
    fn a_photo_smaller_than_a_tile_is_one_tile() {
        assert_eq!(
            tiles(500, 300, 1600, 1200, 200),
            vec![Region::whole(500, 300)]
        );
    }

    #[test]
    fn a_box_on_an_inner_edge_is_cut_and_one_on_the_photo_edge_is_not() {
        let tile = Region {
            x: 1400,
            y: 0,
            width: 1600,
            height: 1600,
        };
        assert!(cuts(&tile, &b(1400.0, 500.0, 60.0, 60.0), 4000, 3000));
        assert!(cuts(&tile, &b(2000.0, 1560.0, 60.0, 40.0), 4000, 3000));
        assert!(!cuts(&tile, &b(2000.0, 0.0, 60.0, 60.0), 4000, 3000));
        assert!(!cuts(&tile, &b(2000.0, 700.0, 60.0, 60.0), 4000, 3000));
    }
}
