//! The `interleave` target: see `mmlab_fuzz::targets::interleave`. Quirks come from
//! `MMLAB_FUZZ_QUIRKS`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mmlab_fuzz::targets::interleave_from_env(data));
