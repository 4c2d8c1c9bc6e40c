//! Fuzz target `storage_proof`: see `bitcloud_fuzz::storage_proof` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::storage_proof(data);
});
