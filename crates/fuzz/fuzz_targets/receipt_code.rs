#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| dignity_fuzz::receipt_code(data));
