//! Peak memory of one photo through decode, annotate (in place) and encode, and proof that a
//! photo over the pixel limit is refused before decoding.
//!
//! Run: `cargo run --release -p facelens-imaging --example peak_memory` (Linux: reads `VmHWM`,
//! the peak resident set, from `/proc/self/status`). Each measurement runs in a fresh child
//! process, so making the test photos does not count. Exits non-zero when the 24 MP peak reaches
//! 256 MiB or the 41 MP photo is not refused.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use facelens_imaging::{
    AnnotatedBox, ImagingError, Limits, Rgb, RgbImage, annotate_in_place, decode, encode_jpeg,
};

const BUDGET_MIB: f64 = 256.0;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("--pipeline") => args
            .get(2)
            .map_or(Err("missing file".into()), |f| pipeline(f)),
        Some("--flood") => args.get(2).map_or(Err("missing file".into()), |f| flood(f)),
        _ => parent(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("peak_memory: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Makes the two photos, then measures each in a child process.
fn parent() -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("facelens-imaging-peak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = (|| {
        let photo = dir.join("24mp.jpg");
        write_jpeg(&photo, 6000, 4000)?;
        let flood = dir.join("41mp.jpg");
        write_jpeg(&flood, 7840, 5230)?;
        run_child("--pipeline", &photo)?;
        run_child("--flood", &flood)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn run_child(mode: &str, file: &Path) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let status = Command::new(exe)
        .arg(mode)
        .arg(file)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{mode} failed"))
    }
}

fn write_jpeg(path: &Path, width: u32, height: u32) -> Result<(), String> {
    let jpeg = encode_jpeg(&synthetic(width, height), 90).map_err(|e| e.to_string())?;
    std::fs::write(path, jpeg).map_err(|e| e.to_string())
}

/// Photo-like content: smooth gradients with a little noise.
fn synthetic(width: u32, height: u32) -> RgbImage {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    RgbImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let noise = (state % 17) as u8;
        Rgb([
            ((x * 200 / width) as u8).wrapping_add(noise),
            ((y * 200 / height) as u8).wrapping_add(noise),
            (((x + y) * 100 / (width + height)) as u8).wrapping_add(noise),
        ])
    })
}

fn pipeline(file: &str) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let after_read = peak_mib()?;
    let start = Instant::now();
    let mut decoded = decode(&bytes, &Limits::default()).map_err(|e| e.to_string())?;
    let decoded_at = start.elapsed();
    let (width, height) = decoded.rgb.dimensions();
    let side = width.min(height) as f32 / 10.0;
    let faces: Vec<_> = (0..30)
        .map(|i| AnnotatedBox {
            x: (i % 6) as f32 * width as f32 / 6.0,
            y: (i / 6) as f32 * height as f32 / 5.0,
            width: side,
            height: side,
            masked: i % 2 == 0,
        })
        .collect();
    annotate_in_place(&mut decoded.rgb, &faces);
    let annotated_at = start.elapsed();
    let out = encode_jpeg(&decoded.rgb, 85).map_err(|e| e.to_string())?;
    let total = start.elapsed();
    let peak = peak_mib()?;
    println!(
        "24 MP JPEG ({width}x{height}, {:.1} MB in, {:.1} MB out): decode {} ms, annotate 30 boxes {} ms, encode q85 {} ms, total {} ms",
        bytes.len() as f64 / 1e6,
        out.len() as f64 / 1e6,
        decoded_at.as_millis(),
        (annotated_at - decoded_at).as_millis(),
        (total - annotated_at).as_millis(),
        total.as_millis(),
    );
    println!(
        "  peak RSS (VmHWM) {peak:.1} MiB; after reading the file {after_read:.1} MiB; budget {BUDGET_MIB} MiB"
    );
    if peak >= BUDGET_MIB {
        return Err(format!("peak {peak:.1} MiB is over the budget"));
    }
    Ok(())
}

fn flood(file: &str) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let after_read = peak_mib()?;
    let start = Instant::now();
    let result = decode(&bytes, &Limits::default());
    let elapsed = start.elapsed();
    let peak = peak_mib()?;
    match result {
        Err(err @ ImagingError::TooManyPixels { .. }) => {
            println!(
                "41 MP JPEG ({:.1} MB): refused in {} us: \"{err}\"",
                bytes.len() as f64 / 1e6,
                elapsed.as_micros()
            );
            println!(
                "  peak RSS (VmHWM) {peak:.1} MiB; after reading the file {after_read:.1} MiB (123 MB of pixels never allocated)"
            );
            Ok(())
        }
        Err(other) => Err(format!("refused for the wrong reason: {other:?}")),
        Ok(_) => Err("a 41 MP photo was decoded".into()),
    }
}

/// The peak resident set of this process so far, in MiB.
fn peak_mib() -> Result<f64, String> {
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .ok_or("no VmHWM in /proc/self/status")?;
    let kib: f64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .map_err(|e| format!("{e}"))?;
    Ok(kib / 1024.0)
}
