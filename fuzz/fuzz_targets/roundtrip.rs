//! The `roundtrip` target: see `mmlab_fuzz::targets::roundtrip`. Quirks come from `MMLAB_FUZZ_QUIRKS`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mmlab_fuzz::targets::roundtrip_from_env(data));
