//! Image sniffing, header-only inspection and bounded decoding (`facelens_imaging`), the entry
//! points the uploads service (`sniff`, `inspect`) and the analysis worker (`decode`,
//! `thumbnail`, `encode_jpeg`) call on bytes a stranger sent.
//!
//! Must hold for any bytes: no panic; whatever is accepted agrees with the magic bytes; a
//! decoded image never has more pixels than the limit and has the dimensions the header gave
//! (turned by its EXIF orientation); a thumbnail of it encodes to a JPEG that decodes again.

#![no_main]

use facelens_imaging::{
    ImageFormat, ImagingError, Limits, decode, encode_jpeg, inspect, sniff, thumbnail,
};
use libfuzzer_sys::fuzz_target;

/// Smaller than the service's (40 megapixels, 512 MiB) so that each run stays fast; the
/// checks are the same code whatever the numbers.
const LIMITS: Limits = Limits {
    max_pixels: 1 << 20,
    max_alloc_bytes: 64 << 20,
};

fuzz_target!(|bytes: &[u8]| {
    if let Ok(text) = std::str::from_utf8(bytes) {
        if let Some(format) = ImageFormat::from_mime_type(text) {
            assert_eq!(
                ImageFormat::from_mime_type(format.mime_type()),
                Some(format)
            );
        }
    }

    let sniffed = sniff(bytes);
    match &sniffed {
        Ok(ImageFormat::Jpeg) => assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF])),
        Ok(ImageFormat::Png) => assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n")),
        Ok(ImageFormat::WebP) => {
            assert!(bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
        }
        Err(err) => assert_eq!(*err == ImagingError::Empty, bytes.is_empty()),
    }

    // The header check with the service's own limits must agree with the magic bytes too.
    if let Ok(info) = inspect(bytes, &Limits::default()) {
        assert_eq!(sniffed.as_ref().ok(), Some(&info.format));
        assert!(info.pixels() <= Limits::DEFAULT_MAX_PIXELS);
    }

    let inspected = inspect(bytes, &LIMITS);
    let decoded = decode(bytes, &LIMITS);
    let (info, image) = match (inspected, decoded) {
        (Ok(info), Ok(image)) => (info, image),
        (Err(inspect_err), Err(decode_err)) => {
            // Decoding starts with the very same header check.
            assert_eq!(inspect_err, decode_err);
            assert!(!decode_err.to_string().is_empty());
            return;
        }
        (Ok(_), Err(err)) => {
            assert!(
                !matches!(
                    err,
                    ImagingError::Empty
                        | ImagingError::UnsupportedFormat
                        | ImagingError::TooManyPixels { .. }
                ),
                "{err:?} after the header passed"
            );
            return;
        }
        (Err(err), Ok(_)) => panic!("decoded although inspect refused: {err:?}"),
    };

    assert_eq!(sniffed, Ok(info.format));
    assert!(info.width > 0 && info.height > 0);
    assert!(
        info.pixels() <= LIMITS.max_pixels,
        "pixel flood passed inspect"
    );
    assert_eq!(image.format, info.format);
    assert_eq!(
        (image.original_width, image.original_height),
        (info.width, info.height)
    );
    assert_eq!(image.orientation, info.orientation);
    assert_eq!(image.rgb.dimensions(), info.display_dimensions());
    let (width, height) = image.rgb.dimensions();
    assert!(u64::from(width) * u64::from(height) <= LIMITS.max_pixels);
    assert_eq!(
        image.rgb.as_raw().len(),
        width as usize * height as usize * 3
    );

    let small = thumbnail(&image.rgb, 32);
    let (tw, th) = small.dimensions();
    assert!(tw >= 1 && th >= 1 && tw.max(th) <= 32);
    let jpeg = encode_jpeg(&small, 80).expect("a thumbnail always encodes");
    let again = decode(&jpeg, &LIMITS).expect("our own JPEG decodes");
    assert_eq!(again.format, ImageFormat::Jpeg);
    assert_eq!(again.rgb.dimensions(), (tw, th));
});
