//! The `ops` target: see `mmlab_fuzz::targets::ops`. Quirks come from `MMLAB_FUZZ_QUIRKS`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mmlab_fuzz::targets::ops_from_env(data));
