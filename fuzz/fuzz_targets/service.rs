//! The `service` target: see `mmlab_fuzz::service`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mmlab_fuzz::service::service_or_panic(data));
