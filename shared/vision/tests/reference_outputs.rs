//! Given fixed inputs, tract's outputs match those onnxruntime recorded (1e-4).

mod common;

use common::{classifier, detector, floats, formula, references};

const TOL: f32 = 1e-4;

#[test]
fn detector_raw_outputs_match_onnxruntime() {
    let refs = references();
    let r = &refs["detector"];
    let stride = r["stride"].as_u64().expect("stride") as usize;
    let input: Vec<f32> = formula(3 * 480 * 640, 0)
        .into_iter()
        .map(|x| x * 2.0 - 1.0)
        .collect();
    let (scores, boxes) = detector().run_tensor(&input).expect("inference");
    let want_scores = floats(&r["face_scores"]);
    let want_boxes = r["boxes"].as_array().expect("boxes");
    assert_eq!(scores.len() / 2, 17640);
    for (j, k) in (0..scores.len() / 2).step_by(stride).enumerate() {
        let got = scores[2 * k + 1];
        assert!(
            (got - want_scores[j]).abs() < TOL,
            "anchor {k}: score {got} vs {}",
            want_scores[j]
        );
        for (c, want) in floats(&want_boxes[j]).into_iter().enumerate() {
            let got = boxes[4 * k + c];
            assert!(
                (got - want).abs() < TOL,
                "anchor {k} coord {c}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn classifier_raw_outputs_match_onnxruntime() {
    let refs = references();
    let want = refs["classifier"]["probs"]
        .as_array()
        .expect("probs")
        .clone();
    let probs = classifier()
        .run_tensor(3, &formula(3 * 3 * 64 * 64, 11))
        .expect("inference");
    assert_eq!(probs.len(), want.len());
    for (got, want) in probs.iter().zip(&want) {
        let want = floats(want);
        for c in 0..2 {
            assert!((got[c] - want[c]).abs() < TOL, "{got:?} vs {want:?}");
        }
    }
}

#[test]
fn wrong_input_length_is_an_error_not_a_panic() {
    assert!(detector().run_tensor(&[0.0; 10]).is_err());
    assert!(classifier().run_tensor(2, &[0.0; 10]).is_err());
    assert!(classifier().run_tensor(0, &[]).is_err());
}
