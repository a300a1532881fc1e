//! `facelens analyze PATH...`: the same pipeline as the server, on files, with no server.

use crate::cli::AnalyzeArgs;
use anyhow::Context;
use facelens_core::analysis::ports::AnalyzeError;
use facelens_core::analysis::{AnalysisId, Category, ImageType, ObjectKey};
use facelens_core::domain::Username;
use std::io::Write;

/// Analyses each photo and prints `file, faces, masked, category` (or the reason it failed).
///
/// # Errors
/// When the models cannot be loaded or the annotation folder cannot be written. A photo that
/// cannot be analysed is reported in its row, and the exit status is then non-zero.
pub async fn run(args: AnalyzeArgs) -> anyhow::Result<()> {
    let analyzer =
        crate::models::load(&args.pipeline, crate::models::Comparisons::Disabled)?.analyzer;
    if let Some(dir) = &args.annotate {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // The local detector reads pixels, not stored objects: any well-formed key will do.
    let owner = Username::parse("local").context("placeholder owner")?;
    let key = ObjectKey::original(&owner, AnalysisId::new(), ImageType::Jpeg);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<40} {:>6} {:>7}  category",
        "file", "faces", "masked"
    )?;
    let mut failures = 0;
    for path in &args.paths {
        let name = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(err) => {
                writeln!(out, "{name:<40} error: {err}")?;
                failures += 1;
                continue;
            }
        };
        match analyzer.analyze(&key, bytes, None).await {
            Ok(result) => {
                let masked = result.faces.iter().filter(|f| f.mask.masked).count();
                let category = Category::from_counts(result.faces.len(), masked);
                writeln!(
                    out,
                    "{name:<40} {:>6} {masked:>7}  {}",
                    result.faces.len(),
                    category.as_str()
                )?;
                if let Some(dir) = &args.annotate {
                    let stem = path
                        .file_stem()
                        .map_or_else(|| "photo".into(), |s| s.to_string_lossy().into_owned());
                    let target = dir.join(format!("{stem}.annotated.jpg"));
                    std::fs::write(&target, &result.annotated_jpeg)
                        .with_context(|| format!("writing {}", target.display()))?;
                }
            }
            Err(AnalyzeError::Rejected(reason) | AnalyzeError::Failed(reason)) => {
                writeln!(out, "{name:<40} error: {reason}")?;
                failures += 1;
            }
        }
    }
    if failures > 0 {
        anyhow::bail!("{failures} photo(s) could not be analysed");
    }
    Ok(())
}
