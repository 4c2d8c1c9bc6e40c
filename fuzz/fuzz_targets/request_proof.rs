//! Fuzz target `request_proof`: see `bitcloud_fuzz::request_proof` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::request_proof(data);
});
