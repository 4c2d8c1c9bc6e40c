//! The verifier of the WeTube page: Bitcloud's own check of bytes against a content id
//! (`bitcloud-verify`, the code the store, the onion exits and the CLI run), compiled to
//! `wasm32-unknown-unknown` with a plain C ABI that `verifier.js` calls, so the page needs no
//! second implementation and no wasm-bindgen.
//!
//! The safe core is [`verify`]; the exports are thin wrappers over it:
//!
//! | export | what |
//! |---|---|
//! | `wetube_alloc(len) -> ptr` | `len` bytes of wasm memory for the page to copy into (null when out of memory) |
//! | `wetube_free(ptr, len)` | gives back what `wetube_alloc(len)` returned |
//! | `wetube_verify(root, size, chunk_group_log, outboard, outboard_len, offset, bytes, bytes_len) -> i32` | 1: the bytes are the content; 0: they are not; negative: [`VerifyError::code`] |
//!
//! Build: `cargo build --profile release --target wasm32-unknown-unknown -p wetube-verifier`
//! (the module is `wasm32-unknown-unknown/release/wetube_verifier.wasm` in the target
//! directory).
#![deny(missing_docs, unsafe_op_in_unsafe_fn)]

use bao_tree::{blake3, io::outboard::PostOrderMemOutboard, BaoTree, BlockSize};
use bitcloud_verify::{range_is_valid, CHUNK_BYTES};
use std::{
	alloc::{alloc, dealloc, Layout},
	ptr::{null_mut, NonNull},
};

/// Why bytes could not be checked: the input does not describe a content, or asks for a range
/// the tree cannot check. Each has a negative [`code`](Self::code), the ABI's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerifyError {
	/// The chunk group log is above bao-tree's largest, [`BlockSize::MAX`] (16: 64 MiB
	/// groups). Code -1.
	ChunkGroupLog,
	/// The outboard is not as long as the tree of that size and chunk group needs. Code -2.
	OutboardLength,
	/// The size is 0 but the root is not BLAKE3 of nothing. Code -3.
	EmptyRoot,
	/// The offset is not on a chunk group boundary: groups are checked whole. Code -4.
	Unaligned,
	/// The bytes end inside a chunk group before the content's end: that group cannot be
	/// checked. Code -5.
	PartialGroup,
	/// The tree could not be read (not expected once the checks above passed). Code -6.
	Unreadable,
	/// A null pointer for a non-empty input, or a length past what memory can hold (the ABI
	/// only). Code -7.
	BadPointer,
}

impl VerifyError {
	/// The negative number `wetube_verify` answers with.
	pub const fn code(self) -> i32 {
		match self {
			VerifyError::ChunkGroupLog => -1,
			VerifyError::OutboardLength => -2,
			VerifyError::EmptyRoot => -3,
			VerifyError::Unaligned => -4,
			VerifyError::PartialGroup => -5,
			VerifyError::Unreadable => -6,
			VerifyError::BadPointer => -7,
		}
	}
}

/// Whether `bytes`, found at `offset`, are the content of `size` bytes whose BLAKE3 root is
/// `root`, according to its post-order outboard (hash pairs, no size suffix) over chunk groups
/// of `2^chunk_group_log` chunks: what `GET /content/{id}/outboard` sends with its
/// `bitcloud-content-size` and `bitcloud-chunk-group-log` headers, checked as the CLI client
/// checks it (`offchain-workers/client/src/download.rs`).
///
/// `offset` is on a chunk group boundary and the bytes end on one or at the content's end
/// (else an error: the caller asked for a range that cannot be checked). Bytes that run past
/// the content's end are not the content (`Ok(false)`). No input panics.
pub fn verify(
	root: &[u8; 32],
	size: u64,
	chunk_group_log: u32,
	outboard: &[u8],
	offset: u64,
	bytes: &[u8],
) -> Result<bool, VerifyError> {
	let (tree, group_bytes) = tree(size, chunk_group_log)?;
	check_outboard(root, tree, outboard)?;
	let Some(end) = offset.checked_add(bytes.len() as u64).filter(|end| *end <= size) else {
		return Ok(false);
	};
	if !offset.is_multiple_of(group_bytes) {
		return Err(VerifyError::Unaligned);
	}
	if !end.is_multiple_of(group_bytes) && end != size {
		return Err(VerifyError::PartialGroup);
	}
	let outboard =
		PostOrderMemOutboard { root: blake3::Hash::from_bytes(*root), tree, data: outboard };
	range_is_valid(&outboard, offset, bytes).map_err(|_| VerifyError::Unreadable)
}

/// The tree of a content of `size` bytes in groups of `2^chunk_group_log` chunks, and the
/// bytes of one group.
fn tree(size: u64, chunk_group_log: u32) -> Result<(BaoTree, u64), VerifyError> {
	// bao-tree asserts the log is at most its largest: checked here so no input panics.
	let log = u8::try_from(chunk_group_log)
		.ok()
		.filter(|log| *log <= BlockSize::MAX.chunk_log())
		.ok_or(VerifyError::ChunkGroupLog)?;
	Ok((BaoTree::new(size, BlockSize::from_chunk_log(log)), CHUNK_BYTES << log))
}

/// Checks what can be checked of an outboard without the content: its length, and the root
/// of an empty content (whose outboard is empty whatever the root).
fn check_outboard(root: &[u8; 32], tree: BaoTree, outboard: &[u8]) -> Result<(), VerifyError> {
	if outboard.len() as u64 != tree.outboard_size() {
		return Err(VerifyError::OutboardLength);
	}
	if tree.size() == 0 && blake3::hash(&[]).as_bytes() != root {
		return Err(VerifyError::EmptyRoot);
	}
	Ok(())
}

/// `len` bytes of memory the page copies its inputs into; null when there is no memory left
/// or `len` cannot be allocated. Give it back with `wetube_free(ptr, len)`.
#[no_mangle]
pub extern "C" fn wetube_alloc(len: usize) -> *mut u8 {
	match Layout::array::<u8>(len) {
		// No allocation for nothing: a dangling, aligned pointer that reads as empty.
		Ok(_) if len == 0 => NonNull::dangling().as_ptr(),
		// SAFETY: the layout's size is not zero (checked above); a null answer is passed on.
		Ok(layout) => unsafe { alloc(layout) },
		Err(_) => null_mut(),
	}
}

/// Gives back the `len` bytes at `ptr`.
///
/// # Safety
///
/// `ptr` is what `wetube_alloc(len)` returned, with the same `len`, and is not used or freed
/// again. Null or `len` 0 do nothing.
#[no_mangle]
pub unsafe extern "C" fn wetube_free(ptr: *mut u8, len: usize) {
	let Ok(layout) = Layout::array::<u8>(len) else { return };
	if ptr.is_null() || len == 0 {
		return;
	}
	// SAFETY: the caller's promise: `ptr` came from `alloc` with this same layout.
	unsafe { dealloc(ptr, layout) }
}

/// [`verify`] over memory: 1 when the `bytes_len` bytes at `bytes`, found at `offset`, are the
/// content of `size` bytes whose root is the 32 bytes at `root`, per the `outboard_len` bytes
/// of post-order outboard at `outboard`; 0 when they are not; a negative
/// [`VerifyError::code`] when they cannot be checked.
///
/// # Safety
///
/// `root` points to 32 readable bytes, `outboard` to `outboard_len` and `bytes` to
/// `bytes_len` (each may be anything when its length is 0), none written to during the call.
/// A null pointer is answered with [`VerifyError::BadPointer`].
#[no_mangle]
#[allow(clippy::too_many_arguments)] // The C ABI has no structs to group them in.
pub unsafe extern "C" fn wetube_verify(
	root: *const u8,
	size: u64,
	chunk_group_log: u32,
	outboard: *const u8,
	outboard_len: usize,
	offset: u64,
	bytes: *const u8,
	bytes_len: usize,
) -> i32 {
	// SAFETY: the caller's promise, for each pointer and its length.
	let inputs =
		unsafe { (input(root, 32), input(outboard, outboard_len), input(bytes, bytes_len)) };
	let (Some(root), Some(outboard), Some(bytes)) = inputs else {
		return VerifyError::BadPointer.code();
	};
	let Ok(root) = <&[u8; 32]>::try_from(root) else { return VerifyError::BadPointer.code() };
	match verify(root, size, chunk_group_log, outboard, offset, bytes) {
		Ok(valid) => i32::from(valid),
		Err(e) => e.code(),
	}
}

/// The `len` bytes at `ptr` as a slice; none for a null pointer or a length no slice can have.
///
/// # Safety
///
/// When `len` is not 0 and `ptr` not null, `ptr` points to `len` readable bytes that nothing
/// writes to while the slice lives.
unsafe fn input<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
	if len == 0 {
		return Some(&[]);
	}
	// A slice is at most isize::MAX bytes: a larger length from the page is refused.
	if ptr.is_null() || isize::try_from(len).is_err() {
		return None;
	}
	// SAFETY: not null, a length a slice can have, and the caller's promise for the rest.
	Some(unsafe { std::slice::from_raw_parts(ptr, len) })
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Chunk groups of 16 KiB, as the gateway serves.
	const LOG: u32 = 4;
	const GROUP: usize = 16 * 1024;

	/// Content of `len` bytes with its root and outboard.
	fn content(len: usize) -> (Vec<u8>, [u8; 32], Vec<u8>) {
		let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
		let outboard = PostOrderMemOutboard::create(&data, BlockSize::from_chunk_log(LOG as u8));
		(data, *outboard.root.as_bytes(), outboard.data)
	}

	#[test]
	fn a_range_of_the_content_is_valid_and_a_flipped_byte_is_not() {
		let (data, root, outboard) = content(5 * GROUP + 100);
		let size = data.len() as u64;
		assert_eq!(verify(&root, size, LOG, &outboard, 0, &data), Ok(true));
		let range = &data[GROUP..3 * GROUP];
		assert_eq!(verify(&root, size, LOG, &outboard, GROUP as u64, range), Ok(true));
		let mut bad = range.to_vec();
		bad[GROUP + 7] ^= 1;
		assert_eq!(verify(&root, size, LOG, &outboard, GROUP as u64, &bad), Ok(false));
		// The right bytes at the wrong place.
		assert_eq!(verify(&root, size, LOG, &outboard, 2 * GROUP as u64, range), Ok(false));
	}

	#[test]
	fn another_root_or_another_outboard_refutes_the_bytes() {
		let (data, mut root, mut outboard) = content(3 * GROUP);
		let size = data.len() as u64;
		root[0] ^= 1;
		assert_eq!(verify(&root, size, LOG, &outboard, 0, &data[..GROUP]), Ok(false));
		root[0] ^= 1;
		outboard[3] ^= 1;
		assert_eq!(verify(&root, size, LOG, &outboard, 0, &data[..GROUP]), Ok(false));
		// One group: no outboard at all, the group hashes to the root itself.
		let (data, mut root, outboard) = content(GROUP - 5);
		assert!(outboard.is_empty());
		assert_eq!(verify(&root, data.len() as u64, LOG, &[], 0, &data), Ok(true));
		root[31] ^= 1;
		assert_eq!(verify(&root, data.len() as u64, LOG, &[], 0, &data), Ok(false));
	}

	#[test]
	fn the_tail_group_and_its_partial_chunk_are_checked() {
		let (data, root, outboard) = content(5 * GROUP + 100);
		let size = data.len() as u64;
		let tail = 5 * GROUP;
		assert_eq!(verify(&root, size, LOG, &outboard, tail as u64, &data[tail..]), Ok(true));
		let mut bad = data[tail..].to_vec();
		bad[99] ^= 1;
		assert_eq!(verify(&root, size, LOG, &outboard, tail as u64, &bad), Ok(false));
		// One byte more or less than the content has: not the content, or not checkable.
		let mut longer = data[tail..].to_vec();
		longer.push(0);
		assert_eq!(verify(&root, size, LOG, &outboard, tail as u64, &longer), Ok(false));
		let shorter = &data[tail..data.len() - 1];
		let answer = verify(&root, size, LOG, &outboard, tail as u64, shorter);
		assert_eq!(answer, Err(VerifyError::PartialGroup));
		// Past the end: not the content.
		assert_eq!(verify(&root, size, LOG, &outboard, 6 * GROUP as u64, &[1]), Ok(false));
		assert_eq!(verify(&root, size, LOG, &outboard, u64::MAX, &[1]), Ok(false));
	}

	#[test]
	fn ranges_that_cannot_be_checked_are_errors() {
		let (data, root, outboard) = content(3 * GROUP);
		let size = data.len() as u64;
		for offset in [1, 1024, GROUP as u64 - 1] {
			let at = offset as usize;
			let answer = verify(&root, size, LOG, &outboard, offset, &data[at..at + 10]);
			assert_eq!(answer, Err(VerifyError::Unaligned), "{offset}");
		}
		let answer = verify(&root, size, LOG, &outboard, 0, &data[..GROUP + 1024]);
		assert_eq!(answer, Err(VerifyError::PartialGroup));
	}

	#[test]
	fn unusable_descriptions_are_errors() {
		let (data, root, outboard) = content(3 * GROUP);
		let size = data.len() as u64;
		let check = |log, outboard: &[u8]| verify(&root, size, log, outboard, 0, &data[..GROUP]);
		assert_eq!(check(LOG, &outboard[1..]), Err(VerifyError::OutboardLength));
		assert_eq!(
			check(LOG, &[outboard.clone(), vec![0; 64]].concat()),
			Err(VerifyError::OutboardLength)
		);
		assert_eq!(check(LOG + 1, &outboard), Err(VerifyError::OutboardLength));
		for log in [17, 20, 21, 256, u32::MAX] {
			assert_eq!(check(log, &outboard), Err(VerifyError::ChunkGroupLog), "{log}");
		}
		// The empty content: only BLAKE3 of nothing is its root.
		let empty = *blake3::hash(&[]).as_bytes();
		assert_eq!(verify(&empty, 0, LOG, &[], 0, &[]), Ok(true));
		assert_eq!(verify(&empty, 0, LOG, &[], 0, &[0]), Ok(false));
		assert_eq!(verify(&root, 0, LOG, &[], 0, &[]), Err(VerifyError::EmptyRoot));
	}

	#[test]
	fn no_input_panics() {
		let sizes = [0, 1, 1023, 1024, 1025, GROUP - 1, GROUP, GROUP + 1, 3 * GROUP + 5];
		for size in sizes {
			let data: Vec<u8> = (0..size).map(|i| (i * 7) as u8).collect();
			for log in 0..=BlockSize::MAX.chunk_log() {
				let tree = BaoTree::new(size as u64, BlockSize::from_chunk_log(log));
				// Garbage of the right length: every pair is read and refuted, nothing panics.
				let garbage = vec![0xa5; tree.outboard_size() as usize];
				for offset in [0, 1, 1024, GROUP, 2 * GROUP, size, size + 1] {
					for len in [0, 1, 1024, GROUP, size] {
						let end = (offset + len).min(size);
						let bytes = data.get(offset..end).unwrap_or(&[]);
						let _ = verify(
							&[7; 32],
							size as u64,
							u32::from(log),
							&garbage,
							offset as u64,
							bytes,
						);
					}
				}
			}
		}
		let _ = verify(&[0; 32], u64::MAX, 0, &[], u64::MAX - 3, &[1, 2, 3, 4]);
		let _ = verify(&[0; 32], u64::MAX, 16, &[], 0, &[]);
	}

	/// `check.mjs`, the check of `verifier.js` with the built wasm in Node, carries the size,
	/// root and outboard of its content (bytes `i % 251`): they must be what Rust computes.
	#[test]
	fn the_node_checks_content_is_this_content() {
		const SIZE: usize = 40_000;
		let (_, root, outboard) = content(SIZE);
		let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
		let script = include_str!("../check.mjs");
		for line in [
			format!("const SIZE = {SIZE};"),
			format!("const ROOT = '{}';", hex(&root)),
			format!("const OUTBOARD = '{}';", hex(&outboard)),
		] {
			assert!(script.contains(&line), "check.mjs should say {line}");
		}
	}

	#[test]
	fn the_exports_answer_with_codes() {
		let (data, root, outboard) = content(2 * GROUP + 10);
		let size = data.len() as u64;
		// Copies into memory from wetube_alloc, as the page does.
		let copy = |input: &[u8]| {
			let ptr = wetube_alloc(input.len());
			assert!(!ptr.is_null());
			// SAFETY: `ptr` has room for `input.len()` bytes.
			unsafe { std::ptr::copy_nonoverlapping(input.as_ptr(), ptr, input.len()) };
			ptr
		};
		let (r, o, d) = (copy(&root), copy(&outboard), copy(&data));
		// SAFETY (all calls below): each pointer is read for the length it was allocated with.
		let call = |root, log, bytes, len| unsafe {
			wetube_verify(root, size, log, o, outboard.len(), 0, bytes, len)
		};
		assert_eq!(call(r, LOG, d, data.len()), 1);
		assert_eq!(call(r, LOG, d, GROUP), 1);
		assert_eq!(call(o, LOG, d, data.len()), 0, "another root");
		assert_eq!(call(r, 30, d, data.len()), VerifyError::ChunkGroupLog.code());
		assert_eq!(call(std::ptr::null(), LOG, d, 1), VerifyError::BadPointer.code());
		assert_eq!(call(r, LOG, std::ptr::null(), 1), VerifyError::BadPointer.code());
		assert_eq!(call(r, LOG, std::ptr::null(), 0), 1, "nothing is trivially the content");
		assert_eq!(call(r, LOG, d, usize::MAX), VerifyError::BadPointer.code());
		// SAFETY: each pointer with the length it was allocated with, once.
		unsafe {
			wetube_free(r, root.len());
			wetube_free(o, outboard.len());
			wetube_free(d, data.len());
			wetube_free(wetube_alloc(0), 0);
			wetube_free(std::ptr::null_mut(), 5);
		}
		assert!(wetube_alloc(usize::MAX).is_null());
	}
}
