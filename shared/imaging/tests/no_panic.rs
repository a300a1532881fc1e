//! Bounded fuzzing with proptest: `sniff`, `inspect` and `decode` return, never panic, on random
//! bytes and on valid images with bytes flipped, cut, inserted or removed.

mod common;

use std::sync::LazyLock;

use common::{exif_app1, gradient, jpeg_of, png_of, webp_of, with_segment};
use facelens_imaging::{Limits, decode, inspect, sniff};
use proptest::prelude::*;

/// Small limits keep each case fast; the code paths are the same as with the defaults.
const LIMITS: Limits = Limits {
    max_pixels: 1_000_000,
    max_alloc_bytes: 64 * 1024 * 1024,
};

static SEEDS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let img = gradient(24, 16);
    vec![
        jpeg_of(&img, 80),
        with_segment(&jpeg_of(&img, 80), &exif_app1(6)),
        png_of(&img),
        webp_of(&img),
    ]
});

#[derive(Debug, Clone)]
enum Mutation {
    Flip { at: usize, xor: u8 },
    Truncate { at: usize },
    Insert { at: usize, bytes: Vec<u8> },
    Remove { at: usize, len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 1u8..=255).prop_map(|(at, xor)| Mutation::Flip { at, xor }),
        1 => any::<usize>().prop_map(|at| Mutation::Truncate { at }),
        1 => (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        1 => (any::<usize>(), 1usize..32).prop_map(|(at, len)| Mutation::Remove { at, len }),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len();
    match m {
        Mutation::Flip { at, xor } => bytes[at % len] ^= xor,
        Mutation::Truncate { at } => bytes.truncate(at % len),
        Mutation::Insert { at, bytes: more } => {
            let at = at % (len + 1);
            bytes.splice(at..at, more.iter().copied());
        }
        Mutation::Remove { at, len: n } => {
            let at = at % len;
            let end = (at + n).min(len);
            bytes.drain(at..end);
        }
    }
}

fn exercise(bytes: &[u8]) {
    let sniffed = sniff(bytes);
    let inspected = inspect(bytes, &LIMITS);
    let decoded = decode(bytes, &LIMITS);
    // Consistency: what sniff refuses, inspect and decode refuse too; what decodes, inspects.
    if sniffed.is_err() {
        assert!(inspected.is_err() && decoded.is_err());
    }
    if let Ok(image) = decoded {
        let info = inspected.expect("a decodable image inspects");
        assert_eq!(image.rgb.dimensions(), info.display_dimensions());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&bytes);
    }

    #[test]
    fn random_bytes_behind_each_magic_never_panic(
        magic in 0usize..3,
        tail in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let mut bytes = match magic {
            0 => vec![0xFF, 0xD8, 0xFF],
            1 => vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A],
            _ => b"RIFF\x00\x04\x00\x00WEBP".to_vec(),
        };
        bytes.extend(tail);
        exercise(&bytes);
    }

    #[test]
    fn mutated_valid_images_never_panic(
        seed in 0usize..4,
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut bytes = SEEDS[seed].clone();
        for m in &mutations {
            if bytes.is_empty() {
                break;
            }
            apply(&mut bytes, m);
        }
        exercise(&bytes);
    }
}
