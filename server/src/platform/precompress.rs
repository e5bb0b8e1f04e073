//! Compressed copies of the SPA build: `.br` and `.gz` next to each `.wasm`, `.js`, `.css` and
//! `.svg` file, which the static file service sends to browsers that accept them (transfer size,
//! BENCHMARKS.md section 1: the wasm is 2.3 MB plain, about 0.6 MB as brotli).
//!
//! They are made in the background at start-up, so the server answers at once and sends the
//! plain files until a copy is ready. Each copy is written under a temporary name and renamed, so
//! a half-written copy is never sent. Trunk puts a content hash in these file names; a copy older
//! than its source is made again anyway. `index.html` is left alone: it changes under the same
//! name on every build and is small.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Files smaller than this gain little and cost a request header check: sent plain.
const MIN_BYTES: u64 = 1024;
const EXTENSIONS: [&str; 4] = ["wasm", "js", "css", "svg"];

/// Compresses `dist` on a blocking thread; failures (a read-only directory, say) are logged and
/// the plain files are served.
pub fn spawn(dist: PathBuf) {
    tokio::task::spawn_blocking(move || match precompress_dir(&dist) {
        Ok(0) => {}
        Ok(made) => tracing::info!(made, dist = %dist.display(), "precompressed SPA files"),
        Err(error) => {
            tracing::warn!(%error, dist = %dist.display(), "could not precompress SPA files")
        }
    });
}

/// Writes the missing or stale `.br` / `.gz` copies under `dir` (and its subdirectories);
/// returns how many it wrote. Symlinks are neither followed nor compressed (`file_type` does not
/// follow them): the folder's own files only.
pub fn precompress_dir(dir: &Path) -> io::Result<usize> {
    let mut made = 0;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            made += precompress_dir(&path)?;
        } else if kind.is_file() && wants_copies(&path, entry.metadata()?.len()) {
            made += usize::from(write_if_stale(&path, "br", brotli_bytes)?);
            made += usize::from(write_if_stale(&path, "gz", gzip_bytes)?);
        }
    }
    Ok(made)
}

fn wants_copies(path: &Path, len: u64) -> bool {
    len >= MIN_BYTES
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".");
    name.push(suffix);
    PathBuf::from(name)
}

fn write_if_stale(
    source: &Path,
    suffix: &str,
    compress: fn(&[u8]) -> io::Result<Vec<u8>>,
) -> io::Result<bool> {
    let target = with_suffix(source, suffix);
    let source_modified = std::fs::metadata(source)?.modified()?;
    let fresh = std::fs::metadata(&target)
        .and_then(|m| m.modified())
        .is_ok_and(|made| made >= source_modified);
    if fresh {
        return Ok(false);
    }
    let bytes = compress(&std::fs::read(source)?)?;
    let partial = with_suffix(&target, "partial");
    // A new file, never through a link someone left under that name: writing must not reach
    // outside the folder either (the rename replaces a linked `target` itself, not what it
    // points to).
    match std::fs::remove_file(&partial) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    File::options()
        .write(true)
        .create_new(true)
        .open(&partial)?
        .write_all(&bytes)?;
    std::fs::rename(&partial, &target)?;
    Ok(true)
}

pub fn gzip_bytes(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(data)?;
    encoder.finish()
}

pub fn brotli_bytes(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        // Quality 11 (the best), 4 MiB window: made once per build, read by every visit.
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        writer.write_all(data)?;
        writer.flush()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn copies_decompress_to_the_source_and_are_not_made_twice() {
        let dir = tempfile::tempdir().unwrap();
        let wasm: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        std::fs::write(dir.path().join("app-1a2b.wasm"), &wasm).unwrap();
        std::fs::create_dir(dir.path().join("react")).unwrap();
        std::fs::write(dir.path().join("react/main.js"), "x".repeat(4096)).unwrap();
        std::fs::write(dir.path().join("index.html"), "y".repeat(4096)).unwrap();
        std::fs::write(dir.path().join("tiny.css"), "a{}").unwrap();

        assert_eq!(precompress_dir(dir.path()).unwrap(), 4);
        let br = std::fs::read(dir.path().join("app-1a2b.wasm.br")).unwrap();
        let mut plain = Vec::new();
        brotli::Decompressor::new(br.as_slice(), 4096)
            .read_to_end(&mut plain)
            .unwrap();
        assert_eq!(plain, wasm);
        assert!(
            br.len() < wasm.len() / 4,
            "brotli copy is small: {}",
            br.len()
        );
        let gz = std::fs::read(dir.path().join("react/main.js.gz")).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz.as_slice())
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "x".repeat(4096));
        assert!(
            !dir.path().join("index.html.br").exists(),
            "html is not copied"
        );
        assert!(
            !dir.path().join("tiny.css.gz").exists(),
            "tiny files are sent plain"
        );
        assert!(!dir.path().join("app-1a2b.wasm.br.partial").exists());

        assert_eq!(
            precompress_dir(dir.path()).unwrap(),
            0,
            "up-to-date copies are kept"
        );
    }
}
