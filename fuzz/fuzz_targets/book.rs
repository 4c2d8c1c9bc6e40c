//! Fuzz target `book`: see `bitcloud_fuzz::book` for what it checks.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	bitcloud_fuzz::book(data);
});
