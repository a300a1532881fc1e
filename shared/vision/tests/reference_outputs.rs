//! Given fixed inputs, tract's outputs match those onnxruntime recorded (1e-4).

mod common;

use common::{classifier, detector, embedder, floats, formula, references, region_landmarks};

const TOL: f32 = 1e-4;

#[test]
fn detector_raw_outputs_match_onnxruntime() {
    let refs = references();
    let r = &refs["detector"];
    let stride = r["stride"].as_u64().expect("stride") as usize;
    let input: Vec<f32> = formula(3 * 480 * 640, 0)
        .into_iter()
        .map(|x| x * 255.0)
        .collect();
    let raw = detector().run_tensor(&input).expect("inference");
    for (level, s) in [8, 16, 32].into_iter().enumerate() {
        for (name, got) in [
            ("cls", &raw.cls[level]),
            ("obj", &raw.obj[level]),
            ("bbox", &raw.bbox[level]),
            ("kps", &raw.kps[level]),
        ] {
            let key = format!("{name}_{s}");
            let want = floats(&r[key.as_str()]);
            let sampled: Vec<f32> = got.iter().copied().step_by(stride).collect();
            assert_eq!(sampled.len(), want.len(), "{key}");
            for (k, (g, w)) in sampled.iter().zip(&want).enumerate() {
                let tol = TOL * w.abs().max(1.0);
                assert!((g - w).abs() < tol, "{key}[{}]: {g} vs {w}", k * stride);
            }
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
fn embedder_raw_outputs_match_onnxruntime() {
    let refs = references();
    let want = floats(&refs["embedder"]["outputs"]);
    let input: Vec<f32> = formula(3 * 112 * 112, 5)
        .into_iter()
        .map(|x| x * 255.0)
        .collect();
    let got = embedder().run_tensor(&input).expect("inference");
    assert_eq!(got.len(), want.len());
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() < TOL * w.abs().max(1.0),
            "output {k}: {g} vs {w}"
        );
    }
}

#[test]
fn landmarker_raw_outputs_match_onnxruntime() {
    let refs = references();
    let r = &refs["landmarker"];
    let stride = r["stride"].as_u64().expect("stride") as usize;
    let input: Vec<f32> = formula(3 * 256 * 256, 13)
        .into_iter()
        .map(|x| x * 255.0)
        .collect();
    let maps = region_landmarks().run_tensor(&input).expect("inference");
    for (name, got) in ["heatmap", "scale", "offset", "landmarks"]
        .iter()
        .zip(&maps)
    {
        let want = floats(&r[*name]);
        let sampled: Vec<f32> = got.iter().copied().step_by(stride).collect();
        assert_eq!(sampled.len(), want.len(), "{name}");
        for (k, (g, w)) in sampled.iter().zip(&want).enumerate() {
            let tol = TOL * w.abs().max(1.0);
            assert!((g - w).abs() < tol, "{name}[{}]: {g} vs {w}", k * stride);
        }
    }
}

#[test]
fn wrong_input_length_is_an_error_not_a_panic() {
    assert!(region_landmarks().run_tensor(&[0.0; 10]).is_err());
    assert!(embedder().run_tensor(&[0.0; 10]).is_err());
    assert!(detector().run_tensor(&[0.0; 10]).is_err());
    assert!(classifier().run_tensor(2, &[0.0; 10]).is_err());
    assert!(classifier().run_tensor(0, &[]).is_err());
}
