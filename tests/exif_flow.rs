//! Black box: a photo stored sideways with an EXIF orientation tag (as phones write them) is
//! analysed upright: the result reports the upright width and height, and finds the same faces
//! in the same places as in the upright photo.

use facelens_tests::api::ApiClient;
use facelens_tests::{ADMIN_PASSWORD, Server, photos};
use reqwest::StatusCode;
use serde_json::Value;

/// A face box as fractions of the upright image: (left, top, width, height).
type Frac = (f64, f64, f64, f64);

fn boxes(result: &Value) -> Vec<Frac> {
    result["faces"]
        .as_array()
        .expect("faces")
        .iter()
        .map(|face| {
            let side = |name: &str| face["box"][name].as_f64().expect("box side");
            (side("left"), side("top"), side("width"), side("height"))
        })
        .collect()
}

fn iou(a: Frac, b: Frac) -> f64 {
    let (ax2, ay2) = (a.0 + a.2, a.1 + a.3);
    let (bx2, by2) = (b.0 + b.2, b.1 + b.3);
    let w = (ax2.min(bx2) - a.0.max(b.0)).max(0.0);
    let h = (ay2.min(by2) - a.1.max(b.1)).max(0.0);
    let inter = w * h;
    let union = a.2 * a.3 + b.2 * b.3 - inter;
    if union <= 0.0 { 0.0 } else { inter / union }
}

fn dims(result: &Value) -> (u64, u64) {
    (
        result["width"].as_u64().expect("width"),
        result["height"].as_u64().expect("height"),
    )
}

#[tokio::test]
async fn a_sideways_photo_with_an_exif_orientation_is_analysed_upright() {
    let upright = photos::fixture("group.jpg");
    let stored = image::load_from_memory(&upright)
        .expect("fixture decodes")
        .to_rgb8()
        .dimensions();
    assert_ne!(
        stored.0, stored.1,
        "the test needs a photo that is not square"
    );

    let server = Server::start();
    let mut user = ApiClient::new(&server.base_url);
    user.sign_in("admin", ADMIN_PASSWORD).await;

    let (upright_id, put) = user
        .upload("upright.jpg", "image/jpeg", upright.clone())
        .await;
    assert_eq!(put, StatusCode::OK);
    let mut sideways_ids = Vec::new();
    for orientation in [6u16, 8] {
        let bytes = photos::sideways_with_exif(&upright, orientation);
        let pixels = image::load_from_memory(&bytes)
            .expect("sideways photo decodes")
            .to_rgb8()
            .dimensions();
        assert_eq!(
            pixels,
            (stored.1, stored.0),
            "the sideways file stores its pixels turned"
        );
        let (id, put) = user
            .upload(&format!("sideways-{orientation}.jpg"), "image/jpeg", bytes)
            .await;
        assert_eq!(put, StatusCode::OK);
        sideways_ids.push((orientation, id));
    }

    let reference = user.wait_for(&upright_id).await;
    assert_eq!(reference["status"], "done", "{reference}");
    assert_eq!(dims(&reference), (u64::from(stored.0), u64::from(stored.1)));
    let reference_boxes = boxes(&reference);
    assert!(
        reference_boxes.len() >= 2,
        "the group photo has several faces: {reference}"
    );

    for (orientation, id) in sideways_ids {
        let result = user.wait_for(&id).await;
        assert_eq!(
            result["status"], "done",
            "orientation {orientation}: {result}"
        );
        assert_eq!(
            dims(&result),
            dims(&reference),
            "orientation {orientation}: the result reports the upright size, not the stored one"
        );
        let found = boxes(&result);
        assert_eq!(
            found.len(),
            reference_boxes.len(),
            "orientation {orientation}: same number of faces; upright {reference_boxes:?}, sideways {found:?}"
        );
        assert_eq!(result["faceCount"], reference["faceCount"]);
        for face in &found {
            let best = reference_boxes
                .iter()
                .map(|r| iou(*face, *r))
                .fold(0.0, f64::max);
            assert!(
                best > 0.5,
                "orientation {orientation}: face {face:?} matches no upright face (best IoU {best:.2}); upright {reference_boxes:?}"
            );
        }
    }
}

#[test]
fn iou_of_boxes_is_what_the_assertions_rely_on() {
    let a = (0.1, 0.1, 0.2, 0.2);
    assert!((iou(a, a) - 1.0).abs() < 1e-9);
    assert_eq!(iou(a, (0.5, 0.5, 0.1, 0.1)), 0.0);
    let half = iou(a, (0.2, 0.1, 0.2, 0.2));
    assert!((half - 1.0 / 3.0).abs() < 1e-9, "{half}");
}
