//! Greedy non-maximum suppression over scored boxes.

use crate::types::{Detection, PixelBox};

/// Intersection over union of two boxes (0 when either is empty).
pub fn iou(a: &PixelBox, b: &PixelBox) -> f32 {
    let x0 = a.x.max(b.x);
    let y0 = a.y.max(b.y);
    let x1 = (a.x + a.width).min(b.x + b.width);
    let y1 = (a.y + a.height).min(b.y + b.height);
    let inter = (x1 - x0).max(0.0) * (y1 - y0).max(0.0);
    let union = a.area() + b.area() - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}

/// Keep the best-scoring boxes, dropping any box whose IoU with an already kept
/// box exceeds `iou_threshold`. Returns indices into `boxes`, best first.
pub fn non_max_suppression(boxes: &[PixelBox], scores: &[f32], iou_threshold: f32) -> Vec<usize> {
    let mut order: Vec<usize> = (0..boxes.len().min(scores.len())).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut kept: Vec<usize> = Vec::new();
    for i in order {
        if kept
            .iter()
            .all(|&k| iou(&boxes[i], &boxes[k]) <= iou_threshold)
        {
            kept.push(i);
        }
    }
    kept
}

/// The detections NMS keeps, best first.
pub(crate) fn suppress(found: Vec<Detection>, iou_threshold: f32) -> Vec<Detection> {
    let boxes: Vec<PixelBox> = found.iter().map(|d| d.bbox).collect();
    let scores: Vec<f32> = found.iter().map(|d| d.score).collect();
    let kept = non_max_suppression(&boxes, &scores, iou_threshold);
    let mut slots: Vec<Option<Detection>> = found.into_iter().map(Some).collect();
    kept.into_iter().filter_map(|i| slots[i].take()).collect()
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
    fn iou_of_identical_boxes_is_one_and_of_disjoint_is_zero() {
        assert!((iou(&b(0., 0., 10., 10.), &b(0., 0., 10., 10.)) - 1.0).abs() < 1e-6);
        assert_eq!(iou(&b(0., 0., 10., 10.), &b(20., 20., 5., 5.)), 0.0);
        // half overlap: 50 / 150
        assert!((iou(&b(0., 0., 10., 10.), &b(5., 0., 10., 10.)) - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn given_overlapping_boxes_when_suppressed_then_best_of_each_cluster_is_kept() {
        let boxes = [
            b(0., 0., 10., 10.),
            b(1., 1., 10., 10.),
            b(50., 50., 10., 10.),
        ];
        let scores = [0.8, 0.9, 0.7];
        assert_eq!(non_max_suppression(&boxes, &scores, 0.3), vec![1, 2]);
        assert_eq!(non_max_suppression(&boxes, &scores, 0.99), vec![1, 0, 2]);
    }
}
