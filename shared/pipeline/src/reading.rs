//! Reading order for the faces of a photo: rows from top to bottom, each row from left to
//! right, so a group photo's faces are numbered as people read it (the detector's order is
//! by score, which reads as 4, 6, 5, 2, 1, 3). The same order numbers the boxes on the
//! annotated image, the API's `faces` list and everything the web client draws from it.

use crate::analyzer::PixelRect;

/// Sorts `items` (each with its face's rectangle) into reading order. A face belongs to the
/// row above when its centre is less than half a face height below that row's centre (the
/// mean of its faces' centres, the height their mean height), so heads tilted or at slightly
/// different heights in one row stay in it.
pub fn in_reading_order<T>(mut items: Vec<T>, rect: impl Fn(&T) -> PixelRect) -> Vec<T> {
    let centre_y = |r: &PixelRect| r.y + r.height / 2.0;
    items.sort_by(|a, b| centre_y(&rect(a)).total_cmp(&centre_y(&rect(b))));
    let mut rows: Vec<Vec<T>> = Vec::new();
    let mut row_stats: Vec<(f32, f32)> = Vec::new(); // (mean centre y, mean height)
    for item in items {
        let r = rect(&item);
        let joins = row_stats
            .last()
            .is_some_and(|&(cy, h)| centre_y(&r) - cy < 0.5 * h.max(r.height));
        if let (true, Some(row), Some(stats)) = (joins, rows.last_mut(), row_stats.last_mut()) {
            // Row sizes are small: the conversion to f32 is exact.
            #[allow(clippy::cast_precision_loss)]
            let n = row.len() as f32;
            *stats = (
                (stats.0 * n + centre_y(&r)) / (n + 1.0),
                (stats.1 * n + r.height) / (n + 1.0),
            );
            row.push(item);
        } else {
            row_stats.push((centre_y(&r), r.height));
            rows.push(vec![item]);
        }
    }
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by(|a, b| rect(a).x.total_cmp(&rect(b).x));
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f32, y: f32, side: f32) -> PixelRect {
        PixelRect {
            x,
            y,
            width: side,
            height: side,
        }
    }

    fn order(faces: &[PixelRect]) -> Vec<usize> {
        let indexed: Vec<(usize, PixelRect)> = faces.iter().copied().enumerate().collect();
        in_reading_order(indexed, |(_, r)| *r)
            .into_iter()
            .map(|(i, _)| i)
            .collect()
    }

    #[test]
    fn a_group_of_two_rows_reads_top_row_first_each_left_to_right() {
        // Detector order (by score): back row right, front row left, ...
        let faces = [
            face(300.0, 40.0, 50.0),  // back row, right
            face(20.0, 200.0, 60.0),  // front row, left
            face(160.0, 55.0, 50.0),  // back row, middle, a little lower
            face(200.0, 190.0, 60.0), // front row, right, a little higher
            face(10.0, 30.0, 50.0),   // back row, left
        ];
        assert_eq!(order(&faces), [4, 2, 0, 1, 3]);
    }

    #[test]
    fn a_face_well_below_another_starts_a_new_row_and_ties_keep_left_to_right() {
        assert_eq!(
            order(&[face(0.0, 100.0, 40.0), face(100.0, 0.0, 40.0)]),
            [1, 0]
        );
        assert_eq!(
            order(&[face(90.0, 10.0, 40.0), face(10.0, 10.0, 40.0)]),
            [1, 0]
        );
        assert!(order(&[]).is_empty());
    }
}
