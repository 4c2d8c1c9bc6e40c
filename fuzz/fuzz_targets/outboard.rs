//! Fuzz target `outboard`: see `bitcloud_fuzz::outboard` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::outboard(data);
});
