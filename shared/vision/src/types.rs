//! Plain result types shared by the detector and the classifier.

/// An axis-aligned box in pixel coordinates of the original image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelBox {
    /// Left edge, in pixels from the image's left.
    pub x: f32,
    /// Top edge, in pixels from the image's top.
    pub y: f32,
    /// Width in pixels.
    pub width: f32,
    /// Height in pixels.
    pub height: f32,
}

impl PixelBox {
    /// The same box in an image `factor` times as large.
    pub fn scaled(&self, factor: f32) -> Self {
        Self {
            x: self.x * factor,
            y: self.y * factor,
            width: self.width * factor,
            height: self.height * factor,
        }
    }

    /// The box's area in square pixels (0 for degenerate boxes).
    pub fn area(&self) -> f32 {
        self.width.max(0.0) * self.height.max(0.0)
    }

    /// The centre point `(x, y)`.
    pub fn center(&self) -> (f32, f32) {
        (self.x + self.width / 2.0, self.y + self.height / 2.0)
    }

    /// The box clipped to an image of `width` x `height` pixels.
    pub fn clamp_to(&self, width: f32, height: f32) -> PixelBox {
        let x0 = self.x.clamp(0.0, width);
        let y0 = self.y.clamp(0.0, height);
        let x1 = (self.x + self.width).clamp(0.0, width);
        let y1 = (self.y + self.height).clamp(0.0, height);
        PixelBox {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        }
    }
}

/// One face found by the detector.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// Where the face is, in original image pixels.
    pub bbox: PixelBox,
    /// The detector's confidence, 0..1.
    pub score: f32,
    /// Five landmarks (eyes, nose, mouth corners) as `[x, y]` pixels, when the
    /// model gives them (CenterFace does).
    pub landmarks: Option<[[f32; 2]; 5]>,
}

/// The classifier's answer for one face.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MaskVerdict {
    /// True when the face wears a mask over nose and mouth.
    pub masked: bool,
    /// Probability of the verdict given, 0..1 (always at least 0.5).
    pub confidence: f32,
}
