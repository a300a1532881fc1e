//! Given bytes of many kinds, `sniff` accepts exactly JPEG, PNG and WebP by their magic bytes.

mod common;

use common::{gradient, jpeg_of, png_of, webp_of};
use facelens_imaging::{ImageFormat, ImagingError, sniff};

#[test]
fn each_accepted_format_is_recognised() {
    let img = gradient(16, 16);
    assert_eq!(sniff(&jpeg_of(&img, 90)), Ok(ImageFormat::Jpeg));
    assert_eq!(sniff(&png_of(&img)), Ok(ImageFormat::Png));
    assert_eq!(sniff(&webp_of(&img)), Ok(ImageFormat::WebP));
}

#[test]
fn the_bare_magic_bytes_are_enough_to_sniff() {
    assert_eq!(sniff(&[0xFF, 0xD8, 0xFF]), Ok(ImageFormat::Jpeg));
    assert_eq!(
        sniff(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]),
        Ok(ImageFormat::Png)
    );
    assert_eq!(sniff(b"RIFF\x10\x00\x00\x00WEBP"), Ok(ImageFormat::WebP));
}

#[test]
fn empty_input_is_refused_as_empty() {
    assert_eq!(sniff(&[]), Err(ImagingError::Empty));
    assert_eq!(ImagingError::Empty.to_string(), "the file is empty");
}

#[test]
fn other_kinds_of_file_are_refused() {
    let refused: &[(&str, &[u8])] = &[
        ("text", b"hello, this is not a photo\n"),
        ("pdf", b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"),
        (
            "svg",
            b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>",
        ),
        ("svg without prolog", b"<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"),
        ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("bmp", b"BM\x1e\x00\x00\x00\x00\x00\x00\x00\x1a\x00\x00\x00"),
        ("html", b"<!doctype html><html></html>"),
        ("jpeg cut to two bytes", &[0xFF, 0xD8]),
        ("png cut to seven bytes", &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A]),
        ("webp cut before WEBP", b"RIFF\x10\x00\x00\x00WEB"),
        ("riff but wave", b"RIFF\x10\x00\x00\x00WAVEfmt "),
        ("a single zero", &[0]),
    ];
    for (name, bytes) in refused {
        assert_eq!(sniff(bytes), Err(ImagingError::UnsupportedFormat), "{name}");
    }
    assert_eq!(
        ImagingError::UnsupportedFormat.to_string(),
        "the file is not a JPEG, PNG or WebP image"
    );
}

#[test]
fn declared_mime_types_map_to_formats_and_extensions() {
    let cases = [
        ("image/jpeg", ImageFormat::Jpeg, "jpg"),
        ("image/png", ImageFormat::Png, "png"),
        ("image/webp", ImageFormat::WebP, "webp"),
    ];
    for (mime, format, ext) in cases {
        assert_eq!(ImageFormat::from_mime_type(mime), Some(format));
        assert_eq!(format.mime_type(), mime);
        assert_eq!(format.extension(), ext);
    }
    assert_eq!(ImageFormat::from_mime_type("image/svg+xml"), None);
    assert_eq!(ImageFormat::from_mime_type("application/pdf"), None);
}
