//! The segmented format "bitcloud-vault v1": a header, then segments of [`SEGMENT_LEN`]
//! plaintext bytes, each sealed by ChaCha20-Poly1305 in the STREAM construction
//! (`aead::stream::StreamBE32`) and followed by its tag.

use crate::{
	keys::{random, FileKey, KEY_LEN},
	Error, Result,
};
use chacha20poly1305::{
	aead::{
		generic_array::GenericArray,
		stream::{NewStream, StreamBE32, StreamPrimitive},
		KeyInit,
	},
	ChaCha20Poly1305, Key,
};
use std::{
	io::{self, Read, Write},
	ops::Range,
};
use zeroize::Zeroizing;

/// First bytes of every ciphertext.
pub const MAGIC: [u8; 8] = *b"BCVAULT\0";
/// The version this crate writes and reads.
pub const VERSION: u8 = 1;
/// Bytes of the random nonce prefix: ChaCha20-Poly1305's 12-byte nonce less STREAM's
/// 4-byte counter and 1-byte last-segment flag.
pub const NONCE_PREFIX_LEN: usize = 7;
/// Bytes of the header: magic, version, nonce prefix, segment length.
pub const HEADER_LEN: usize = MAGIC.len() + 1 + NONCE_PREFIX_LEN + 4;
/// Plaintext bytes of every segment but the last (which has 0 to `SEGMENT_LEN`).
pub const SEGMENT_LEN: usize = 65536;
/// Bytes of the Poly1305 tag after each segment.
pub const TAG_LEN: usize = 16;
/// The most segments of one ciphertext (STREAM's counter is 32 bits).
pub const MAX_SEGMENTS: u64 = 1 << 32;
/// The longest plaintext: [`MAX_SEGMENTS`] full segments (256 TiB).
pub const MAX_PLAIN_LEN: u64 = MAX_SEGMENTS * SEGMENT_LEN as u64;

const SEG: u64 = SEGMENT_LEN as u64;
const TAG: u64 = TAG_LEN as u64;
/// Ciphertext bytes of a full segment.
const SEALED_SEG: u64 = SEG + TAG;
const HEADER: u64 = HEADER_LEN as u64;

type Stream = StreamBE32<ChaCha20Poly1305>;

/// The header of a ciphertext. It is authenticated as the associated data of every
/// segment, so a changed header fails every segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header {
	nonce_prefix: [u8; NONCE_PREFIX_LEN],
}

impl Header {
	/// A header with a fresh random nonce prefix.
	pub(crate) fn random() -> Result<Header> {
		let mut nonce_prefix = [0; NONCE_PREFIX_LEN];
		random(&mut nonce_prefix)?;
		Ok(Header { nonce_prefix })
	}

	/// Parses the header at the start of `bytes` (the first [`HEADER_LEN`] bytes of a
	/// ciphertext; what follows is ignored).
	pub fn parse(bytes: &[u8]) -> Result<Header> {
		let bytes = bytes
			.get(..HEADER_LEN)
			.ok_or(Error::MalformedHeader("shorter than the 20 bytes of a header"))?;
		let (magic, rest) = bytes.split_at(MAGIC.len());
		if magic != MAGIC {
			return Err(Error::MalformedHeader("wrong magic bytes"));
		}
		let (version, rest) = rest.split_at(1);
		if version != [VERSION] {
			return Err(Error::UnsupportedVersion(version.first().copied().unwrap_or(0)));
		}
		let (prefix, segment_len) = rest.split_at(NONCE_PREFIX_LEN);
		if segment_len != (SEGMENT_LEN as u32).to_le_bytes() {
			return Err(Error::MalformedHeader("segment length is not 65536"));
		}
		let mut nonce_prefix = [0; NONCE_PREFIX_LEN];
		nonce_prefix.copy_from_slice(prefix);
		Ok(Header { nonce_prefix })
	}

	/// The header's bytes: magic, version, nonce prefix, segment length (u32 little
	/// endian).
	pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
		let mut bytes = [0; HEADER_LEN];
		let (magic, rest) = bytes.split_at_mut(MAGIC.len());
		magic.copy_from_slice(&MAGIC);
		let (version, rest) = rest.split_at_mut(1);
		version.copy_from_slice(&[VERSION]);
		let (prefix, segment_len) = rest.split_at_mut(NONCE_PREFIX_LEN);
		prefix.copy_from_slice(&self.nonce_prefix);
		segment_len.copy_from_slice(&(SEGMENT_LEN as u32).to_le_bytes());
		bytes
	}

	/// The random nonce prefix of this ciphertext's segments.
	pub fn nonce_prefix(&self) -> [u8; NONCE_PREFIX_LEN] {
		self.nonce_prefix
	}

	/// Plaintext bytes per segment ([`SEGMENT_LEN`]).
	pub fn segment_len(&self) -> u32 {
		SEGMENT_LEN as u32
	}

	fn stream(&self, key: &[u8; KEY_LEN]) -> Stream {
		Stream::from_aead(
			ChaCha20Poly1305::new(Key::from_slice(key)),
			GenericArray::from_slice(&self.nonce_prefix),
		)
	}
}

/// Segments of a plaintext of `plain_len` bytes: one at least (an empty file has one
/// empty segment), and a full last segment is not followed by an empty one.
fn segment_count(plain_len: u64) -> u64 {
	plain_len.div_ceil(SEG).max(1)
}

/// Ciphertext bytes of segment `index` of a plaintext of `plain_len` bytes.
fn sealed_segment_len(index: u64, plain_len: u64) -> u64 {
	let start = index.saturating_mul(SEG);
	plain_len.saturating_sub(start).min(SEG) + TAG
}

/// Ciphertext bytes of a plaintext of `plain_len` bytes: the header, the plaintext, and a
/// tag per segment. Saturates at `u64::MAX` past [`MAX_PLAIN_LEN`] (which
/// [`encrypt`] refuses).
pub fn ciphertext_len(plain_len: u64) -> u64 {
	segment_count(plain_len).saturating_mul(TAG).saturating_add(plain_len).saturating_add(HEADER)
}

/// Plaintext bytes of a ciphertext of `cipher_len` bytes, or [`Error::InvalidLength`] for
/// a length no ciphertext has.
pub fn plaintext_len(cipher_len: u64) -> Result<u64> {
	let invalid = Error::InvalidLength(cipher_len);
	let body = cipher_len.checked_sub(HEADER).ok_or(Error::InvalidLength(cipher_len))?;
	let (full, rest) = (body / SEALED_SEG, body % SEALED_SEG);
	let (segments, plain_len) = match rest {
		// The last segment is full.
		0 if full > 0 => (full, full * SEG),
		// An empty last segment only ends an empty file.
		_ if rest == TAG && full == 0 => (1, 0),
		_ if rest > TAG => (full + 1, full * SEG + (rest - TAG)),
		_ => return Err(invalid),
	};
	if segments > MAX_SEGMENTS {
		return Err(invalid);
	}
	Ok(plain_len)
}

/// The segments covering `plain_range` of the file whose ciphertext is `cipher_len` bytes:
/// the range of segment indexes, and the range of ciphertext bytes to fetch for them. The
/// header (ciphertext bytes `0..HEADER_LEN`) is needed as well: fetch it once per file.
///
/// An empty range needs no segment (both ranges returned are empty).
pub fn segments_for(plain_range: Range<u64>, cipher_len: u64) -> Result<(Range<u64>, Range<u64>)> {
	let plain_len = plaintext_len(cipher_len)?;
	check_range(&plain_range, plain_len)?;
	let first = plain_range.start / SEG;
	let end = if plain_range.is_empty() { first } else { (plain_range.end - 1) / SEG + 1 };
	let offset = |segment: u64| (HEADER + segment * SEALED_SEG).min(cipher_len);
	Ok((first..end, offset(first)..offset(end)))
}

fn check_range(range: &Range<u64>, plain_len: u64) -> Result<()> {
	if range.start > range.end {
		return Err(Error::InvalidRange("its start is after its end"));
	}
	if range.end > plain_len {
		return Err(Error::InvalidRange("it ends after the end of the file"));
	}
	Ok(())
}

/// Decrypts in place segment `index` (of `segments`) with the header as associated data.
/// On failure tells truncation and extension apart from tampering where it can: a last
/// segment that authenticates as an inner one means the segments after it were dropped;
/// an inner segment that authenticates as the last one means bytes were appended.
fn open_segment(
	stream: &Stream,
	aad: &[u8],
	index: u64,
	segments: u64,
	buffer: &mut Vec<u8>,
) -> Result<()> {
	let position = u32::try_from(index).map_err(|_| Error::InvalidLength(index))?;
	let last = index + 1 == segments;
	if stream.decrypt_in_place(position, last, aad, buffer).is_ok() {
		return Ok(());
	}
	// A failed decryption leaves the buffer as it was; were it not so, this second try
	// would fail too and the error would still be `Authentication`.
	if stream.decrypt_in_place(position, !last, aad, buffer).is_ok() {
		buffer.clear();
		return Err(if last { Error::Truncated } else { Error::Extended });
	}
	Err(Error::Authentication)
}

/// Reads into `buffer` until it holds `limit` bytes or the reader ends.
fn fill(reader: &mut impl Read, buffer: &mut Vec<u8>, limit: usize) -> io::Result<()> {
	let want = limit.saturating_sub(buffer.len()) as u64;
	reader.take(want).read_to_end(buffer)?;
	Ok(())
}

/// Reads one byte, or `None` at the end.
fn read_byte(reader: &mut impl Read) -> io::Result<Option<u8>> {
	let mut byte = [0u8; 1];
	loop {
		match reader.read(&mut byte) {
			Ok(0) => return Ok(None),
			Ok(_) => return Ok(Some(byte[0])),
			Err(e) if e.kind() == io::ErrorKind::Interrupted => {},
			Err(e) => return Err(e),
		}
	}
}

/// Encrypts everything `reader` gives into `writer` under `key` with a fresh random nonce
/// prefix, one segment at a time (constant memory: one segment). Returns the ciphertext
/// bytes written, [`ciphertext_len`] of the bytes read.
pub fn encrypt<R: Read, W: Write>(key: &FileKey, reader: R, writer: W) -> Result<u64> {
	encrypt_with(key.as_bytes(), reader, writer)
}

pub(crate) fn encrypt_with<R: Read, W: Write>(
	key: &[u8; KEY_LEN],
	reader: R,
	writer: W,
) -> Result<u64> {
	encrypt_with_header(key, &Header::random()?, reader, writer)
}

fn encrypt_with_header<R: Read, W: Write>(
	key: &[u8; KEY_LEN],
	header: &Header,
	mut reader: R,
	mut writer: W,
) -> Result<u64> {
	let aad = header.to_bytes();
	let stream = header.stream(key);
	writer.write_all(&aad)?;
	let mut written = HEADER;
	let mut buffer = Zeroizing::new(Vec::with_capacity(SEGMENT_LEN + TAG_LEN));
	let mut carried = None;
	let mut position: u32 = 0;
	loop {
		buffer.clear();
		buffer.extend(carried.take());
		fill(&mut reader, &mut buffer, SEGMENT_LEN)?;
		// A full segment is the last one only if the reader ends right after it.
		let last = buffer.len() < SEGMENT_LEN || {
			carried = read_byte(&mut reader)?;
			carried.is_none()
		};
		if !last && position == u32::MAX {
			return Err(Error::LimitExceeded {
				what: "plaintext bytes",
				limit: MAX_PLAIN_LEN,
				actual: MAX_PLAIN_LEN + 1,
			});
		}
		stream
			.encrypt_in_place(position, last, &aad, &mut *buffer)
			.map_err(|_| Error::Malformed("the cipher refused a segment"))?;
		writer.write_all(&buffer)?;
		written += buffer.len() as u64;
		if last {
			writer.flush()?;
			return Ok(written);
		}
		position += 1;
	}
}

/// Decrypts the `cipher_len` bytes of ciphertext that `reader` gives into `writer`, one
/// segment at a time (constant memory), and checks that the reader ends there.
///
/// Segments are written as they authenticate: on any error, discard everything written
/// (decrypt to a temporary file and keep it only on `Ok`). Returns the plaintext bytes
/// written.
pub fn decrypt<R: Read, W: Write>(
	key: &FileKey,
	reader: R,
	writer: W,
	cipher_len: u64,
) -> Result<u64> {
	decrypt_with(key.as_bytes(), reader, writer, cipher_len)
}

pub(crate) fn decrypt_with<R: Read, W: Write>(
	key: &[u8; KEY_LEN],
	mut reader: R,
	mut writer: W,
	cipher_len: u64,
) -> Result<u64> {
	let plain_len = plaintext_len(cipher_len)?;
	let mut header_bytes = Vec::with_capacity(HEADER_LEN);
	fill(&mut reader, &mut header_bytes, HEADER_LEN)?;
	if header_bytes.len() < HEADER_LEN {
		return Err(Error::Truncated);
	}
	let header = Header::parse(&header_bytes)?;
	let aad = header.to_bytes();
	let stream = header.stream(key);
	let segments = segment_count(plain_len);
	let mut buffer = Zeroizing::new(Vec::with_capacity(SEGMENT_LEN + TAG_LEN));
	for index in 0..segments {
		let sealed_len = sealed_segment_len(index, plain_len) as usize;
		buffer.clear();
		fill(&mut reader, &mut buffer, sealed_len)?;
		if buffer.len() < sealed_len {
			return Err(Error::Truncated);
		}
		open_segment(&stream, &aad, index, segments, &mut buffer)?;
		writer.write_all(&buffer)?;
	}
	if read_byte(&mut reader)?.is_some() {
		return Err(Error::Extended);
	}
	writer.flush()?;
	Ok(plain_len)
}

/// Decrypts `plain_range` of a file from some of its segments: `ciphertext` holds whole
/// segments from segment `first_segment` on (as [`segments_for`] tells what to fetch),
/// `header` was parsed from the file's first bytes and `cipher_len` is its whole length
/// (from which the last segment is known). Every segment given is authenticated; the
/// result is exactly the plaintext bytes of the range.
///
/// An empty range gives an empty vector without looking at the ciphertext.
pub fn decrypt_range(
	key: &FileKey,
	header: &Header,
	cipher_len: u64,
	first_segment: u64,
	ciphertext: &[u8],
	plain_range: Range<u64>,
) -> Result<Vec<u8>> {
	let plain_len = plaintext_len(cipher_len)?;
	check_range(&plain_range, plain_len)?;
	if plain_range.is_empty() {
		return Ok(Vec::new());
	}
	let segments = segment_count(plain_len);
	if first_segment >= segments {
		return Err(Error::InvalidRange("the first segment is after the last one"));
	}
	if first_segment * SEG > plain_range.start {
		return Err(Error::InvalidRange("the segments start after the range"));
	}
	let aad = header.to_bytes();
	let stream = header.stream(key.as_bytes());
	let wanted = (plain_range.end - plain_range.start).min(ciphertext.len() as u64);
	let mut out = Vec::with_capacity(wanted as usize);
	let mut buffer = Zeroizing::new(Vec::with_capacity(SEGMENT_LEN + TAG_LEN));
	let mut rest = ciphertext;
	let mut index = first_segment;
	while !rest.is_empty() {
		if index >= segments {
			return Err(Error::Extended);
		}
		let sealed_len = sealed_segment_len(index, plain_len) as usize;
		let (sealed, after) = rest.split_at_checked(sealed_len).ok_or(Error::Truncated)?;
		buffer.clear();
		buffer.extend_from_slice(sealed);
		open_segment(&stream, &aad, index, segments, &mut buffer)?;
		// The part of this segment inside the range.
		let start = index * SEG;
		let from = plain_range.start.saturating_sub(start).min(buffer.len() as u64) as usize;
		let to = plain_range.end.saturating_sub(start).min(buffer.len() as u64) as usize;
		out.extend_from_slice(buffer.get(from..to).unwrap_or_default());
		rest = after;
		index += 1;
	}
	if index * SEG < plain_range.end {
		return Err(Error::Truncated);
	}
	Ok(out)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn lengths_agree() {
		for plain_len in [0, 1, 2, SEG - 1, SEG, SEG + 1, 2 * SEG, 2 * SEG + 1, 3 << 20] {
			let cipher_len = ciphertext_len(plain_len);
			assert_eq!(plaintext_len(cipher_len).unwrap(), plain_len, "{plain_len}");
		}
		assert_eq!(ciphertext_len(0), HEADER + TAG);
		assert_eq!(ciphertext_len(SEG), HEADER + SEALED_SEG);
		assert_eq!(ciphertext_len(SEG + 1), HEADER + SEALED_SEG + 1 + TAG);
		assert_eq!(plaintext_len(ciphertext_len(MAX_PLAIN_LEN)).unwrap(), MAX_PLAIN_LEN);
	}

	#[test]
	fn impossible_lengths_are_refused() {
		for cipher_len in [
			0,
			HEADER,
			HEADER + TAG - 1,
			// A full segment followed by an empty one is never written.
			HEADER + SEALED_SEG + TAG,
			HEADER + SEALED_SEG + 5,
			ciphertext_len(MAX_PLAIN_LEN) + 1 + TAG,
			u64::MAX,
		] {
			assert!(
				matches!(plaintext_len(cipher_len), Err(Error::InvalidLength(_))),
				"{cipher_len}"
			);
		}
	}

	#[test]
	fn header_round_trips_and_refuses_others() {
		let header = Header::random().unwrap();
		let bytes = header.to_bytes();
		assert_eq!(Header::parse(&bytes).unwrap(), header);
		assert_eq!(&bytes[..8], b"BCVAULT\0");
		assert_eq!(bytes[8], 1);
		assert_eq!(&bytes[16..], &[0, 0, 1, 0]);
		assert!(matches!(Header::parse(&bytes[..19]), Err(Error::MalformedHeader(_))));
		let mut other = bytes;
		other[0] ^= 1;
		assert!(matches!(Header::parse(&other), Err(Error::MalformedHeader(_))));
		let mut other = bytes;
		other[8] = 2;
		assert!(matches!(Header::parse(&other), Err(Error::UnsupportedVersion(2))));
		let mut other = bytes;
		other[17] = 2;
		assert!(matches!(Header::parse(&other), Err(Error::MalformedHeader(_))));
	}

	#[test]
	fn segments_for_covers_the_range() {
		let cipher_len = ciphertext_len(3 * SEG + 10);
		let (segments, bytes) = segments_for(0..1, cipher_len).unwrap();
		assert_eq!(segments, 0..1);
		assert_eq!(bytes, HEADER..HEADER + SEALED_SEG);
		let (segments, bytes) = segments_for(SEG - 1..SEG + 1, cipher_len).unwrap();
		assert_eq!(segments, 0..2);
		assert_eq!(bytes, HEADER..HEADER + 2 * SEALED_SEG);
		let (segments, bytes) = segments_for(3 * SEG + 9..3 * SEG + 10, cipher_len).unwrap();
		assert_eq!(segments, 3..4);
		assert_eq!(bytes, HEADER + 3 * SEALED_SEG..cipher_len);
		let (segments, bytes) = segments_for(5..5, cipher_len).unwrap();
		assert!(segments.is_empty() && bytes.is_empty());
		assert!(matches!(segments_for(0..3 * SEG + 11, cipher_len), Err(Error::InvalidRange(_))));
		#[allow(clippy::reversed_empty_ranges)]
		let backwards = 5..4;
		assert!(matches!(segments_for(backwards, cipher_len), Err(Error::InvalidRange(_))));
	}

	#[test]
	fn nonce_is_prefix_counter_and_flag() {
		// The format promises StreamBE32's nonce: prefix, big-endian counter, flag byte.
		// Check it against ChaCha20-Poly1305 with the nonce written out.
		use chacha20poly1305::aead::Aead;
		let key = [9u8; KEY_LEN];
		let header = Header { nonce_prefix: [1, 2, 3, 4, 5, 6, 7] };
		let aad = header.to_bytes();
		let sealed = header.stream(&key).encrypt(2, true, aead_payload(b"hello", &aad)).unwrap();
		let nonce = [1, 2, 3, 4, 5, 6, 7, 0, 0, 0, 2, 1];
		let direct = ChaCha20Poly1305::new(Key::from_slice(&key))
			.encrypt(GenericArray::from_slice(&nonce), aead_payload(b"hello", &aad))
			.unwrap();
		assert_eq!(sealed, direct);
	}

	/// Pins the format: ciphertexts computed by another implementation (Python's
	/// `cryptography`, ChaCha20-Poly1305 with the nonces and associated data of the README).
	#[test]
	fn known_answer() {
		use sha2::{Digest, Sha256};
		let key = [0x42u8; KEY_LEN];
		let header = Header { nonce_prefix: [1, 2, 3, 4, 5, 6, 7] };
		assert_eq!(hex::encode(header.to_bytes()), "42435641554c5400010102030405060700000100");
		for (len, digest) in [
			(0, "86ca7d97e701d3dfbbe47497f2388900eec5a072e53bf0c9728f3a225c2b1ec9"),
			(65539, "805dd788addc74fcbef09b6f80e6600634142e0b302482efc3200255b992724f"),
		] {
			let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
			let mut sealed = Vec::new();
			let written = encrypt_with_header(&key, &header, &plain[..], &mut sealed).unwrap();
			assert_eq!(written, sealed.len() as u64);
			assert_eq!(sealed.len() as u64, ciphertext_len(len as u64));
			assert_eq!(hex::encode(Sha256::digest(&sealed)), digest, "{len}");
		}
	}

	fn aead_payload<'a>(msg: &'a [u8], aad: &'a [u8]) -> chacha20poly1305::aead::Payload<'a, 'a> {
		chacha20poly1305::aead::Payload { msg, aad }
	}
}
