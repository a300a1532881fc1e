//! Given faces found by the detector, the embedder tells the same person from another: a face
//! finds itself in the group photo it was cut from, different people of that photo do not
//! match. (A masked face does not yet match its bare self: see models/README.md.)

mod common;

use common::{detector, embedder, image};
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
