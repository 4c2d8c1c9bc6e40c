//! The segmented format end to end: round trips, random access, and every way of changing
//! a ciphertext that must fail.

use bitcloud_vault::{
	ciphertext_len, decrypt, decrypt_range, encrypt, plaintext_len, segments_for, Error, FileKey,
	Header, HEADER_LEN, SEGMENT_LEN, TAG_LEN,
};
use proptest::prelude::*;
use std::ops::Range;

const SEG: usize = SEGMENT_LEN;
const SEALED: usize = SEGMENT_LEN + TAG_LEN;

fn plaintext(len: usize) -> Vec<u8> {
	// Not periodic in the segment length, so swapped segments differ.
	(0..len).map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8).collect()
}

fn sealed(key: &FileKey, plain: &[u8]) -> Vec<u8> {
	let mut out = Vec::new();
	let written = encrypt(key, plain, &mut out).unwrap();
	assert_eq!(written, out.len() as u64);
	out
}

fn opened(key: &FileKey, cipher: &[u8]) -> Result<Vec<u8>, Error> {
	let mut out = Vec::new();
	let len = decrypt(key, cipher, &mut out, cipher.len() as u64)?;
	assert_eq!(len, out.len() as u64);
	Ok(out)
}

/// What a reader of a range does: fetch the header and the segments, decrypt.
fn read_range(key: &FileKey, cipher: &[u8], range: Range<u64>) -> Result<Vec<u8>, Error> {
	let cipher_len = cipher.len() as u64;
	let (segments, bytes) = segments_for(range.clone(), cipher_len)?;
	let header = Header::parse(&cipher[..HEADER_LEN])?;
	let fetched = &cipher[bytes.start as usize..bytes.end as usize];
	decrypt_range(key, &header, cipher_len, segments.start, fetched, range)
}

const LENGTHS: [usize; 6] = [0, 1, SEG - 1, SEG, SEG + 1, 3 * 1024 * 1024 + 5];

#[test]
fn round_trips() {
	let key = FileKey::generate().unwrap();
	for len in LENGTHS {
		let plain = plaintext(len);
		let cipher = sealed(&key, &plain);
		assert_eq!(cipher.len() as u64, ciphertext_len(len as u64), "{len}");
		assert_eq!(plaintext_len(cipher.len() as u64).unwrap(), len as u64);
		assert_eq!(opened(&key, &cipher).unwrap(), plain, "{len}");
	}
}

#[test]
fn ranges_are_the_plaintext_slice() {
	let key = FileKey::generate().unwrap();
	for len in LENGTHS {
		let plain = plaintext(len);
		let cipher = sealed(&key, &plain);
		let len = len as u64;
		let seg = SEG as u64;
		let mut ranges = vec![0..len, 0..0, len..len];
		if len > 0 {
			ranges.extend([0..1, len - 1..len, 0..len.min(seg), len / 2..len]);
		}
		if len > seg {
			ranges.extend([seg - 1..seg + 1, seg..seg + 1, seg - 1..seg, 1000..len - 1]);
		}
		if len > 3 * seg {
			ranges.extend([seg - 5..2 * seg + 5, 2 * seg..3 * seg, 3 * seg - 1..len]);
		}
		for range in ranges {
			let got = read_range(&key, &cipher, range.clone()).unwrap();
			assert_eq!(got, &plain[range.start as usize..range.end as usize], "{len}: {range:?}");
		}
	}
}

#[test]
fn ranges_outside_the_file_are_refused() {
	let key = FileKey::generate().unwrap();
	let cipher = sealed(&key, &plaintext(100));
	assert!(matches!(read_range(&key, &cipher, 0..101), Err(Error::InvalidRange(_))));
	assert!(matches!(read_range(&key, &cipher, 101..101), Err(Error::InvalidRange(_))));
}

#[test]
fn partial_fetches_are_refused() {
	let key = FileKey::generate().unwrap();
	let plain = plaintext(3 * SEG);
	let cipher = sealed(&key, &plain);
	let cipher_len = cipher.len() as u64;
	let header = Header::parse(&cipher).unwrap();
	let body = &cipher[HEADER_LEN..];
	let range = 10..2 * SEG as u64;
	// Half a segment.
	let got = decrypt_range(&key, &header, cipher_len, 0, &body[..SEALED + 10], range.clone());
	assert!(matches!(got, Err(Error::Truncated)));
	// One segment of the two needed.
	let got = decrypt_range(&key, &header, cipher_len, 0, &body[..SEALED], range.clone());
	assert!(matches!(got, Err(Error::Truncated)));
	// The right bytes said to start at the wrong segment.
	let got = decrypt_range(&key, &header, cipher_len, 1, &body[..2 * SEALED], range.clone());
	assert!(matches!(got, Err(Error::InvalidRange(_))));
	let got = decrypt_range(
		&key,
		&header,
		cipher_len,
		1,
		&body[..2 * SEALED],
		SEG as u64..2 * SEG as u64,
	);
	assert!(matches!(got, Err(Error::Authentication)));
	// More segments than needed are fine: all are authenticated.
	let got = decrypt_range(&key, &header, cipher_len, 0, body, range.clone()).unwrap();
	assert_eq!(got, &plain[10..2 * SEG]);
}

/// Every way of reading must refuse `cipher`.
fn assert_refused(key: &FileKey, cipher: &[u8], what: &str) -> Error {
	let whole = opened(key, cipher).expect_err(what);
	if let Ok(plain_len) = plaintext_len(cipher.len() as u64) {
		if plain_len > 0 {
			assert!(read_range(key, cipher, 0..plain_len).is_err(), "{what}: range");
		}
	}
	whole
}

#[test]
fn flipped_bits_fail() {
	let key = FileKey::generate().unwrap();
	let cipher = sealed(&key, &plaintext(2 * SEG + 100));
	// Every header byte, and bytes at the start, middle and tag of each segment.
	let mut positions: Vec<usize> = (0..HEADER_LEN).collect();
	for segment in 0..3 {
		let start = HEADER_LEN + segment * SEALED;
		let end = (start + SEALED).min(cipher.len());
		positions.extend([start, (start + end) / 2, end - TAG_LEN - 1, end - TAG_LEN, end - 1]);
	}
	for at in positions {
		for bit in [0, 7] {
			let mut bad = cipher.clone();
			bad[at] ^= 1 << bit;
			let error = assert_refused(&key, &bad, &format!("byte {at} bit {bit}"));
			if at >= 9 {
				// Past magic and version: authentication (or the segment size).
				assert!(
					matches!(error, Error::Authentication | Error::MalformedHeader(_)),
					"{at}: {error}"
				);
			}
		}
	}
	// The empty file's one tag too.
	let empty = sealed(&key, &[]);
	for at in 0..empty.len() {
		let mut bad = empty.clone();
		bad[at] ^= 0x10;
		assert!(opened(&key, &bad).is_err(), "{at}");
	}
}

#[test]
fn dropped_swapped_and_appended_segments_fail() {
	let key = FileKey::generate().unwrap();
	// Four segments, the last one partial.
	let cipher = sealed(&key, &plaintext(3 * SEG + 100));
	let header = &cipher[..HEADER_LEN];
	let segments: Vec<&[u8]> = cipher[HEADER_LEN..].chunks(SEALED).collect();
	assert_eq!(segments.len(), 4);
	let join = |order: &[usize]| {
		let mut out = header.to_vec();
		for &i in order {
			out.extend_from_slice(segments[i]);
		}
		out
	};
	assert_eq!(join(&[0, 1, 2, 3]), cipher);

	let error = assert_refused(&key, &join(&[0, 1, 2]), "last dropped");
	assert!(matches!(error, Error::Truncated), "{error}");
	let error = assert_refused(&key, &join(&[0, 2, 3]), "middle dropped");
	assert!(matches!(error, Error::Authentication), "{error}");
	let error = assert_refused(&key, &join(&[0, 2, 1, 3]), "swapped");
	assert!(matches!(error, Error::Authentication), "{error}");
	let error = assert_refused(&key, &join(&[1, 0, 2, 3]), "first two swapped");
	assert!(matches!(error, Error::Authentication), "{error}");
	assert_refused(&key, &join(&[0, 1, 2, 3, 1]), "segment appended");
	assert_refused(&key, &join(&[0, 1, 2, 3, 3]), "last repeated");
	let mut tail = cipher.clone();
	tail.extend_from_slice(&[0; TAG_LEN + 1]);
	assert_refused(&key, &tail, "bytes appended");

	// With a full last segment: appending tells itself apart.
	let cipher = sealed(&key, &plaintext(2 * SEG));
	let mut longer = cipher.clone();
	longer.extend_from_slice(&cipher[HEADER_LEN..HEADER_LEN + SEALED]);
	let error = assert_refused(&key, &longer, "full segment appended");
	assert!(matches!(error, Error::Extended), "{error}");
	let error = assert_refused(&key, &cipher[..HEADER_LEN + SEALED], "full last dropped");
	assert!(matches!(error, Error::Truncated), "{error}");
	// Down to the header and one empty segment's worth of bytes.
	assert_refused(&key, &cipher[..HEADER_LEN + TAG_LEN], "cut to an empty file");
}

#[test]
fn readers_that_end_early_or_late_fail() {
	let key = FileKey::generate().unwrap();
	let cipher = sealed(&key, &plaintext(SEG + 10));
	let len = cipher.len() as u64;
	let mut out = Vec::new();
	let short = &cipher[..cipher.len() - 1];
	assert!(matches!(decrypt(&key, short, &mut out, len), Err(Error::Truncated)));
	let short = &cipher[..5];
	assert!(matches!(decrypt(&key, short, &mut Vec::new(), len), Err(Error::Truncated)));
	let mut long = cipher.clone();
	long.push(0);
	assert!(matches!(decrypt(&key, &long[..], &mut Vec::new(), len), Err(Error::Extended)));
	// A length that no ciphertext has, and one longer than the reader.
	let impossible = (HEADER_LEN + SEALED + 5) as u64;
	assert!(matches!(
		decrypt(&key, &cipher[..], &mut Vec::new(), impossible),
		Err(Error::InvalidLength(_))
	));
	assert!(matches!(decrypt(&key, &cipher[..], &mut Vec::new(), len + 3), Err(Error::Truncated)));
}

#[test]
fn wrong_key_fails() {
	let key = FileKey::generate().unwrap();
	let other = FileKey::generate().unwrap();
	for len in [0, 10, SEG + 10] {
		let cipher = sealed(&key, &plaintext(len));
		assert!(matches!(opened(&other, &cipher), Err(Error::Authentication)), "{len}");
		if len > 0 {
			let got = read_range(&other, &cipher, 0..1);
			assert!(matches!(got, Err(Error::Authentication)));
		}
	}
}

#[test]
fn encryptions_differ() {
	let plain = plaintext(1000);
	let key = FileKey::generate().unwrap();
	let one = sealed(&key, &plain);
	let two = sealed(&key, &plain);
	assert_ne!(one, two);
	assert_ne!(Header::parse(&one).unwrap(), Header::parse(&two).unwrap());
	let three = sealed(&FileKey::generate().unwrap(), &plain);
	assert_ne!(one[HEADER_LEN..], three[HEADER_LEN..]);
	// Nothing of the plaintext shows.
	assert!(!one.windows(16).any(|w| plain.windows(16).any(|p| p == w)));
}

#[test]
fn foreign_headers_are_refused() {
	let key = FileKey::generate().unwrap();
	let cipher = sealed(&key, &plaintext(10));
	let mut bad = cipher.clone();
	bad[8] = 2;
	assert!(matches!(opened(&key, &bad), Err(Error::UnsupportedVersion(2))));
	bad = cipher.clone();
	bad[0] = b'X';
	assert!(matches!(opened(&key, &bad), Err(Error::MalformedHeader(_))));
	assert!(matches!(Header::parse(&cipher[..HEADER_LEN - 1]), Err(Error::MalformedHeader(_))));
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(24))]

	#[test]
	fn any_range_of_any_length(len in 0usize..4 * SEG, a in any::<u64>(), b in any::<u64>()) {
		let key = FileKey::from_bytes([7; 32]);
		let plain = plaintext(len);
		let cipher = sealed(&key, &plain);
		let (a, b) = (a % (len as u64 + 1), b % (len as u64 + 1));
		let range = a.min(b)..a.max(b);
		let got = read_range(&key, &cipher, range.clone()).unwrap();
		prop_assert_eq!(&got[..], &plain[range.start as usize..range.end as usize]);
		prop_assert_eq!(opened(&key, &cipher).unwrap(), plain);
	}

	#[test]
	fn lengths_invert(plain_len in 0u64..(1 << 50)) {
		let cipher_len = ciphertext_len(plain_len);
		if plain_len <= bitcloud_vault::MAX_PLAIN_LEN {
			prop_assert_eq!(plaintext_len(cipher_len).unwrap(), plain_len);
		} else {
			prop_assert!(plaintext_len(cipher_len).is_err());
		}
	}

	#[test]
	fn no_length_panics(cipher_len in any::<u64>()) {
		if let Ok(plain_len) = plaintext_len(cipher_len) {
			prop_assert_eq!(ciphertext_len(plain_len), cipher_len);
		}
	}
}
