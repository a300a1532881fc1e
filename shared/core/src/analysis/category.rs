//! The four history lists a photo can fall in.

use serde::{Deserialize, Serialize};

/// Which history list a finished analysis belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// No face was found.
    NoFaces,
    /// Every face wears a mask.
    AllMasked,
    /// No face wears a mask.
    NoneMasked,
    /// Some faces do, some don't.
    SomeMasked,
}

impl Category {
    /// Every category, in display order.
    pub const ALL: [Category; 4] = [
        Category::NoFaces,
        Category::AllMasked,
        Category::NoneMasked,
        Category::SomeMasked,
    ];

    /// The category for `faces` faces of which `masked` wear a mask.
    pub fn from_counts(faces: usize, masked: usize) -> Self {
        match (faces, masked) {
            (0, _) => Category::NoFaces,
            (f, m) if m >= f => Category::AllMasked,
            (_, 0) => Category::NoneMasked,
            _ => Category::SomeMasked,
        }
    }

    /// The name used in URLs and keys.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::NoFaces => "no_faces",
            Category::AllMasked => "all_masked",
            Category::NoneMasked => "none_masked",
            Category::SomeMasked => "some_masked",
        }
    }

    /// Parses the URL form.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_count_lands_in_exactly_the_right_list(faces in 0usize..50, masked_frac in 0.0f64..=1.0) {
            let masked = ((faces as f64) * masked_frac).round() as usize;
            let category = Category::from_counts(faces, masked);
            let expected = if faces == 0 { Category::NoFaces }
                else if masked == faces { Category::AllMasked }
                else if masked == 0 { Category::NoneMasked }
                else { Category::SomeMasked };
            prop_assert_eq!(category, expected);
            prop_assert_eq!(Category::parse(category.as_str()), Some(category));
        }
    }
}
