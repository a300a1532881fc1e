//! Given faces found by the detector, the embedder tells the same person from another: a face
//! finds itself in the group photo it was cut from, different people of that photo do not
//! match; aligned from CenterFace's landmarks on its region, a masked face matches its bare
//! self and finds its owner in the group photo (YuNet's own landmarks drift under the mask).

mod common;

use common::{detector, embedder, image, region_landmarks};
use facelens_vision::{Detection, Embedding};

/// The similarity at or above which two faces are the same person (see models/README.md).
const SAME_PERSON: f32 = 0.45;

fn faces(name: &str) -> Vec<(Detection, Embedding)> {
    let img = image(name);
    let e = embedder();
    detector()
        .detect(&img)
        .expect("detect")
        .into_iter()
        .map(|d| {
            let landmarks = d.landmarks.expect("landmarks");
            let embedding = e.embed(&img, &landmarks).expect("embed");
            (d, embedding)
        })
        .collect()
}

fn best(name: &str) -> Embedding {
    faces(name)
        .into_iter()
        .max_by(|a, b| a.0.score.total_cmp(&b.0.score))
        .expect("a face")
        .1
}

#[test]
fn an_embedding_has_unit_length() {
    let bare = best("face-bare.jpg");
    assert!((bare.similarity(&bare) - 1.0).abs() < 1e-5);
}

#[test]
fn different_people_of_the_group_photo_do_not_match() {
    let group = faces("group.jpg");
    assert!(group.len() >= 2);
    for (i, a) in group.iter().enumerate() {
        for b in &group[i + 1..] {
            let s = a.1.similarity(&b.1);
            assert!(s < SAME_PERSON, "two people of the group photo at {s}");
        }
    }
}

#[test]
fn the_face_of_the_crops_is_found_in_the_group_photo_it_came_from() {
    // face-bare.jpg is cut from the group photo's source: its best match there is one face,
    // well above every other.
    let bare = best("face-bare.jpg");
    let mut scores: Vec<f32> = faces("group.jpg")
        .iter()
        .map(|(_, e)| bare.similarity(e))
        .collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    assert!(scores[0] >= SAME_PERSON, "{scores:?}");
    assert!(scores[1] < SAME_PERSON, "{scores:?}");
}

/// The faces of a fixture photo, each embedded from CenterFace's landmarks on its region.
fn region_faces(name: &str) -> Vec<Embedding> {
    let img = image(name);
    let (e, l) = (embedder(), region_landmarks());
    detector()
        .detect(&img)
        .expect("detect")
        .into_iter()
        .map(|d| {
            let points = l
                .find(&img, &d.bbox)
                .expect("CenterFace runs")
                .expect("CenterFace finds the face on its region");
            e.embed(&img, &points).expect("embed")
        })
        .collect()
}

#[test]
fn a_masked_face_aligned_from_region_landmarks_matches_its_bare_self_and_nobody_else() {
    let bare = region_faces("face-bare.jpg").remove(0);
    let masked = region_faces("face-masked.jpg").remove(0);
    let s = bare.similarity(&masked);
    assert!(s >= SAME_PERSON, "masked against bare at {s}");
    let mut scores: Vec<f32> = region_faces("group.jpg")
        .iter()
        .map(|e| masked.similarity(e))
        .collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    assert!(scores[0] >= SAME_PERSON, "{scores:?}");
    assert!(scores[1] < SAME_PERSON, "{scores:?}");
}

#[test]
fn region_landmarks_of_a_bare_face_agree_with_the_detectors() {
    let img = image("face-bare.jpg");
    let found = detector().detect(&img).expect("detect").remove(0);
    let yunet = found.landmarks.expect("landmarks");
    let centerface = region_landmarks()
        .find(&img, &found.bbox)
        .expect("runs")
        .expect("found");
    // The same points in the same order, in the photo's pixels: each of CenterFace's is
    // nearest to YuNet's of the same index, within a third of the eye distance (the two models
    // place the nose tip a little differently).
    let eyes = (yunet[1][0] - yunet[0][0]).abs();
    let dist = |a: &[f32; 2], b: &[f32; 2]| ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    for (i, b) in centerface.iter().enumerate() {
        let nearest = (0..5)
            .min_by(|&j, &k| dist(&yunet[j], b).total_cmp(&dist(&yunet[k], b)))
            .expect("five points");
        assert_eq!(nearest, i, "{centerface:?} vs {yunet:?}");
        assert!(
            dist(&yunet[i], b) < eyes / 3.0,
            "{b:?} vs {:?} (eyes {eyes} px apart)",
            yunet[i]
        );
    }
}
