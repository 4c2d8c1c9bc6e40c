//! Fuzz target `receipt`: see `bitcloud_fuzz::receipt` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::receipt(data);
});
