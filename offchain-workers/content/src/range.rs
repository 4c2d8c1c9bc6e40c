//! The `Range` request header (RFC 9110 §14), for one range of bytes.

/// What a `Range` header asks of a representation of `size` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeRequest {
	/// No range (or a unit other than `bytes`, which RFC 9110 says to ignore): everything.
	Full,
	/// One satisfiable range: bytes `start..=end`.
	Single {
		/// First byte.
		start: u64,
		/// Last byte (inclusive), below the size.
		end: u64,
	},
	/// A well-formed range that selects nothing of this representation.
	Unsatisfiable,
	/// More than one range: the gateway serves one range per request.
	Multiple,
	/// A `bytes` range that is not well formed.
	Invalid,
}

/// Parses `header` (the value of `Range`, if any) for a representation of `size` bytes.
pub fn parse_range(header: Option<&str>, size: u64) -> RangeRequest {
	let Some(header) = header else { return RangeRequest::Full };
	let Some((unit, set)) = header.trim().split_once('=') else { return RangeRequest::Invalid };
	if !unit.trim().eq_ignore_ascii_case("bytes") {
		return RangeRequest::Full;
	}
	let specs: Vec<&str> = set.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
	let spec = match specs.as_slice() {
		[] => return RangeRequest::Invalid,
		[one] => *one,
		_ => return RangeRequest::Multiple,
	};
	let Some((first, last)) = spec.split_once('-') else { return RangeRequest::Invalid };
	let (first, last) = (first.trim(), last.trim());
	match (number(first), number(last)) {
		// bytes=-N: the last N bytes.
		(None, Some(suffix)) if first.is_empty() => {
			if suffix == 0 || size == 0 {
				RangeRequest::Unsatisfiable
			} else {
				RangeRequest::Single { start: size.saturating_sub(suffix), end: size - 1 }
			}
		},
		// bytes=A-
		(Some(start), None) if last.is_empty() => {
			if start >= size {
				RangeRequest::Unsatisfiable
			} else {
				RangeRequest::Single { start, end: size - 1 }
			}
		},
		// bytes=A-B
		(Some(start), Some(end)) => {
			if end < start {
				RangeRequest::Invalid
			} else if start >= size {
				RangeRequest::Unsatisfiable
			} else {
				RangeRequest::Single { start, end: end.min(size - 1) }
			}
		},
		_ => RangeRequest::Invalid,
	}
}

/// A decimal number of digits only; too large numbers saturate (they exceed any size).
fn number(text: &str) -> Option<u64> {
	if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
		return None;
	}
	Some(text.parse().unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
	use super::{parse_range as p, RangeRequest::*};

	#[test]
	fn ranges_are_parsed() {
		assert_eq!(p(None, 10), Full);
		let cases = [
			("bytes=0-0", Single { start: 0, end: 0 }),
			("bytes=2-", Single { start: 2, end: 9 }),
			("bytes=2-100", Single { start: 2, end: 9 }),
			("bytes=-3", Single { start: 7, end: 9 }),
			("bytes=-30", Single { start: 0, end: 9 }),
			(" Bytes = 1-2 ", Single { start: 1, end: 2 }),
			("bytes=1-2,", Single { start: 1, end: 2 }),
			("bytes=99999999999999999999999-", Unsatisfiable),
		];
		for (header, expected) in cases {
			assert_eq!(p(Some(header), 10), expected, "{header}");
		}
	}

	#[test]
	fn bad_ranges_are_classified() {
		let cases = [
			("bytes=10-", 10, Unsatisfiable),
			("bytes=10-20", 10, Unsatisfiable),
			("bytes=-0", 10, Unsatisfiable),
			("bytes=0-", 0, Unsatisfiable),
			("bytes=0-1,3-4", 10, Multiple),
			("bytes=5-1", 10, Invalid),
			("bytes=a-b", 10, Invalid),
			("bytes=-", 10, Invalid),
			("bytes=", 10, Invalid),
			("bytes=1", 10, Invalid),
			("bytes=+1-2", 10, Invalid),
			("garbage", 10, Invalid),
			("items=0-1", 10, Full),
		];
		for (header, size, expected) in cases {
			assert_eq!(p(Some(header), size), expected, "{header} of {size} bytes");
		}
	}
}
