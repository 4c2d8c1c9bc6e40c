//! Fuzz target `range`: see `bitcloud_fuzz::range` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::range(data);
});
