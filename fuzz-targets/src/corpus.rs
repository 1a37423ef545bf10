//! The committed fuzz inputs: seeds under `fuzz/corpus/TARGET/`, regression inputs (crashes
//! found and fixed) under `fuzz/regressions/TARGET/`, and inputs that must fail with a quirk on
//! under `fuzz/quirks/QUIRK/` (decoded as `ops` inputs).

use std::fs;
use std::path::{Path, PathBuf};

/// The `fuzz/` directory of the repository.
pub fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// Every file directly under `dir`, sorted by name, with its bytes (none if `dir` is missing).
pub fn files_in(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(rd) = fs::read_dir(dir) else { return Vec::new() };
    let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_file()).collect();
    paths.sort();
    paths.into_iter().filter_map(|p| fs::read(&p).ok().map(|b| (p, b))).collect()
}

/// Seeds and regression inputs of one target.
pub fn target_inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let root = fuzz_dir();
    let mut v = files_in(&root.join("corpus").join(target));
    v.extend(files_in(&root.join("regressions").join(target)));
    v
}

/// Inputs that must fail the `ops` target with `quirk` on.
pub fn quirk_inputs(quirk: &str) -> Vec<(PathBuf, Vec<u8>)> {
    files_in(&fuzz_dir().join("quirks").join(quirk))
}
