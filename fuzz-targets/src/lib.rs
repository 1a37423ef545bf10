//! mmlab-fuzz: the logic of the cargo-fuzz targets in `fuzz/`, as a plain library so that stable
//! `cargo test` replays corpora through exactly the code libFuzzer runs.
//!
//! - [`input`] decodes fuzzer bytes into a machine configuration and an operation sequence,
//!   resolving most operations against live processes, mappings and fds (wasmtime-style
//!   "scope" generation), so that sequences reach deep states.
//! - [`oracle`] holds the checks: invariants after every operation, the teardown check, and the
//!   observation (views and state digest) that two machines are compared by.
//! - [`targets`] are the fuzz targets: [`targets::ops`], [`targets::roundtrip`],
//!   [`targets::differential`]. Each takes the raw input bytes and returns the first
//!   [`oracle::Failure`]; the libFuzzer wrappers panic on it.
//! - [`service`] is the `service` target: arbitrary requests into the in-process gRPC service
//!   with two tenants.
//! - [`repro`] turns a failing input into a minimal `.mms` script.
//! - [`corpus`] lists the committed seeds and regression inputs for replay.
//!
//! Quirks (historical kernel defects, see `mmlab_model::config::KNOWN_QUIRKS`) are enabled for a
//! fuzzing run with the `MMLAB_FUZZ_QUIRKS` environment variable (comma list); the
//! `*_from_env` entry points read it once.

pub mod corpus;
pub mod input;
pub mod oracle;
pub mod repro;
pub mod service;
pub mod targets;

use std::sync::OnceLock;

/// The environment variable that names the quirks a fuzzing run enables (comma list).
pub const QUIRKS_ENV: &str = "MMLAB_FUZZ_QUIRKS";

/// Parses a comma list of quirk names (empty items are skipped).
pub fn parse_quirks(list: &str) -> Vec<String> {
    list.split(',').map(str::trim).filter(|q| !q.is_empty()).map(String::from).collect()
}

/// The quirks named by [`QUIRKS_ENV`], read once per process.
pub fn quirks_from_env() -> &'static [String] {
    static QUIRKS: OnceLock<Vec<String>> = OnceLock::new();
    QUIRKS.get_or_init(|| std::env::var(QUIRKS_ENV).map(|v| parse_quirks(&v)).unwrap_or_default())
}
