//! Cheap structural checks that catch a file cut short, which some decoders would otherwise
//! decode into a partly grey image without complaint (the JPEG decoder is lenient).

use crate::{ImageFormat, ImagingError};

/// Refuses bytes whose container shows they were cut short.
///
/// JPEG: the marker structure must reach an end-of-image marker. WebP: the file must be as long
/// as its RIFF header says. PNG: left to the decoder, which refuses a short file.
pub(crate) fn check_complete(format: ImageFormat, bytes: &[u8]) -> Result<(), ImagingError> {
    let complete = match format {
        ImageFormat::Jpeg => jpeg_reaches_end(bytes),
        ImageFormat::WebP => webp_is_whole(bytes),
        ImageFormat::Png => true,
    };
    if complete {
        Ok(())
    } else {
        Err(ImagingError::Corrupt {
            detail: format!("the {format} data ends before the image does"),
        })
    }
}

/// The RIFF size field (bytes 4..8, little-endian) counts everything after the first 8 bytes.
fn webp_is_whole(bytes: &[u8]) -> bool {
    let Some(size) = bytes.get(4..8) else {
        return false;
    };
    let size = u64::from(u32::from_le_bytes([size[0], size[1], size[2], size[3]]));
    u64::try_from(bytes.len()).is_ok_and(|len| len >= size.saturating_add(8))
}

/// Walks the JPEG's segments (and the entropy-coded data after each start of scan) until the
/// end-of-image marker `FF D9`. Returns `false` when the data runs out first. When the structure
/// is not what the walk expects, it falls back to looking for `FF D9` in the rest, so that
/// lenient decoding of slightly odd files is not refused here.
fn jpeg_reaches_end(bytes: &[u8]) -> bool {
    let len = bytes.len();
    let mut i = 2; // past the start-of-image marker
    while i < len {
        if bytes.get(i) != Some(&0xFF) {
            return contains_eoi(bytes.get(i..).unwrap_or_default());
        }
        while bytes.get(i) == Some(&0xFF) {
            i += 1; // the marker byte and any fill bytes
        }
        let Some(&marker) = bytes.get(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            // Markers without a length.
            0x01 | 0xD0..=0xD8 => {}
            0x00 => return contains_eoi(bytes.get(i..).unwrap_or_default()),
            _ => {
                let Some(&[hi, lo]) = bytes.get(i..i + 2) else {
                    return false;
                };
                let segment = usize::from(u16::from_be_bytes([hi, lo]));
                if segment < 2 {
                    return contains_eoi(bytes.get(i..).unwrap_or_default());
                }
                i += segment;
                if i > len {
                    return false;
                }
                if marker == 0xDA {
                    match skip_entropy_coded(bytes, i) {
                        Some(next_marker) => i = next_marker,
                        None => return false,
                    }
                }
            }
        }
    }
    false
}

/// From `start` inside entropy-coded data, the index of the next real marker's `FF`, skipping
/// stuffed bytes (`FF 00`), restart markers and fill bytes. `None` if the data runs out.
fn skip_entropy_coded(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        let ff = i + bytes.get(i..)?.iter().position(|&b| b == 0xFF)?;
        match *bytes.get(ff + 1)? {
            0x00 | 0xD0..=0xD7 => i = ff + 2,
            0xFF => i = ff + 1,
            _ => return Some(ff),
        }
    }
}

fn contains_eoi(bytes: &[u8]) -> bool {
    bytes.windows(2).any(|w| w == [0xFF, 0xD9])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minimal_marker_walk_reaches_the_end() {
        // SOI, APP0 with a 4-byte segment, SOS with its header, data with a stuffed FF, EOI.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF,
            0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD9,
        ];
        assert!(jpeg_reaches_end(&jpeg));
        for cut in 2..jpeg.len() - 1 {
            assert!(!jpeg_reaches_end(&jpeg[..cut]), "cut at {cut}");
        }
    }

    #[test]
    fn an_eoi_inside_a_segment_does_not_count() {
        // An APP1 segment (an EXIF thumbnail, say) holding FF D9, then the data stops.
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x04, 0xFF, 0xD9, 0xFF, 0xDA, 0x00, 0x02, 0x12,
        ];
        assert!(!jpeg_reaches_end(&jpeg));
    }

    #[test]
    fn webp_length_is_checked_against_riff_size() {
        let mut webp = b"RIFF\x04\x00\x00\x00WEBP".to_vec();
        assert!(webp_is_whole(&webp));
        webp[4] = 5;
        assert!(!webp_is_whole(&webp));
    }
}
