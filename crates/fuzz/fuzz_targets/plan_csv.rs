#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| dignity_fuzz::plan_csv(data));
