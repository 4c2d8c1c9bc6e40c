//! Frames on a link and the cells inside them.
//!
//! Every link (client to first relay, relay to relay) carries frames of exactly
//! [`FRAME_LEN`] bytes in both directions, whatever they carry. The first frame each way
//! opens the hop: [`create_frame`] and [`created_frame`] carry the Noise handshake in clear
//! (Noise messages are made to be sent in clear). Every later frame is a relay cell under one
//! layer of encryption per hop: the hop at depth `d` (the first relay is at depth 1) opens
//! the first `FRAME_LEN - 16·(d−1)` bytes of a frame, which leaves the
//! [`payload_len(d)`](payload_len) bytes that are the cell for the next hop (or for itself
//! when it is the last one), and fills the frame up again with random bytes.
//!
//! A cell (what the last hop reads once every layer is off) is `command (1 byte) ‖ body
//! length (2 bytes, big-endian) ‖ body ‖ zero padding`.

use crate::noise::{HANDSHAKE_LEN, TAG_LEN};
use bitcloud_primitives::{AccountId, ContentId};

/// Bytes of every frame on every link.
pub const FRAME_LEN: usize = 16 * 1024;

/// Deepest hop a circuit may have (the client builds 3; the exit's own upstream adds 1).
pub const MAX_DEPTH: u8 = 8;

/// First bytes of the frames that open a hop: protocol name and version.
pub const MAGIC: &[u8; 4] = b"BCO2";

/// Cell header: command and body length.
const HEADER_LEN: usize = 3;

/// Bytes of the cell a hop at `depth` reads or writes: the frame minus one tag per hop up to
/// and including it.
pub const fn payload_len(depth: u8) -> usize {
	FRAME_LEN - TAG_LEN * depth as usize
}

/// Bytes of a layer's ciphertext at `depth`: what the hop at `depth` opens.
pub const fn sealed_len(depth: u8) -> usize {
	FRAME_LEN - TAG_LEN * (depth as usize - 1)
}

/// Most body bytes a cell for `depth` carries.
pub const fn max_body(depth: u8) -> usize {
	payload_len(depth) - HEADER_LEN
}

/// Why the last hop refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Refusal {
	/// The cell could not be understood.
	BadRequest = 1,
	/// No reachable node holds the content.
	NotFound = 2,
	/// The next relay is unknown to the chain or did not answer.
	Unreachable = 3,
	/// The node does not take this (no unmoderated storage, too large, wrong bytes).
	Refused = 4,
	/// The relay is at its limits.
	Busy = 5,
	/// The relay failed (its store, its chain view).
	Internal = 6,
}

impl Refusal {
	fn from_code(code: u8) -> Option<Self> {
		Some(match code {
			1 => Refusal::BadRequest,
			2 => Refusal::NotFound,
			3 => Refusal::Unreachable,
			4 => Refusal::Refused,
			5 => Refusal::Busy,
			6 => Refusal::Internal,
			_ => return None,
		})
	}
}

/// What a cell says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
	/// Client to last hop: extend the circuit to `node` with this Noise handshake message.
	Extend {
		/// The relay's account; the relay looks its endpoint up on chain.
		node: AccountId,
		/// First Noise message for that relay.
		handshake: [u8; HANDSHAKE_LEN],
	},
	/// Last hop to client: the new relay's answer; the circuit is one hop longer.
	Extended {
		/// Second Noise message, from the new relay.
		handshake: [u8; HANDSHAKE_LEN],
	},
	/// Client to exit: bytes `offset..offset + len` of a content (`Meta`, `Data`…, `End`).
	Get {
		/// The content.
		id: ContentId,
		/// First byte.
		offset: u64,
		/// Number of bytes (cut at the content's end).
		len: u64,
		/// Serve only from the node's own store (the exit asking a storing node).
		local: bool,
	},
	/// Client to exit: the outboard of a content (`Meta`, `Data`…, `End`).
	Outboard {
		/// The content.
		id: ContentId,
		/// Serve only from the node's own store.
		local: bool,
	},
	/// Client to exit: store a content of `size` bytes; after `Meta` the client sends
	/// `Data`… and `End`, and gets `End` once it is stored.
	Put {
		/// The content id the bytes must hash to.
		id: ContentId,
		/// Its size.
		size: u64,
		/// Store only in the node's own store.
		local: bool,
	},
	/// Exit to client: the size of the content a `Get`, `Outboard` or `Put` is about.
	Meta {
		/// Content size in bytes.
		size: u64,
	},
	/// Bytes of a transfer.
	Data(Vec<u8>),
	/// The transfer is complete.
	End,
	/// Exit to storing node: a receipt (SCALE-encoded `SignedReceipt`) for the bytes it
	/// served; no answer.
	Receipt(Vec<u8>),
	/// The request failed.
	Error {
		/// Why.
		refusal: Refusal,
		/// A short reason for people.
		reason: String,
	},
}

/// A cell that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed(pub &'static str);

impl std::fmt::Display for Malformed {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		write!(f, "malformed cell: {}", self.0)
	}
}

impl std::error::Error for Malformed {}

const EXTEND: u8 = 1;
const EXTENDED: u8 = 2;
const GET: u8 = 3;
const OUTBOARD: u8 = 4;
const PUT: u8 = 5;
const META: u8 = 6;
const DATA: u8 = 7;
const END: u8 = 8;
const ERROR: u8 = 9;
const RECEIPT: u8 = 10;

impl Cell {
	/// Writes the cell into `out` (a cell of `payload_len(depth)` bytes), zero-padded.
	/// Fails when the body does not fit.
	pub fn encode_into(&self, out: &mut [u8]) -> Result<(), Malformed> {
		let mut body = Vec::new();
		let command = match self {
			Cell::Extend { node, handshake } => {
				body.extend_from_slice(node.as_ref());
				body.extend_from_slice(handshake);
				EXTEND
			},
			Cell::Extended { handshake } => {
				body.extend_from_slice(handshake);
				EXTENDED
			},
			Cell::Get { id, offset, len, local } => {
				body.extend_from_slice(id);
				body.extend_from_slice(&offset.to_be_bytes());
				body.extend_from_slice(&len.to_be_bytes());
				body.push(u8::from(*local));
				GET
			},
			Cell::Outboard { id, local } => {
				body.extend_from_slice(id);
				body.push(u8::from(*local));
				OUTBOARD
			},
			Cell::Put { id, size, local } => {
				body.extend_from_slice(id);
				body.extend_from_slice(&size.to_be_bytes());
				body.push(u8::from(*local));
				PUT
			},
			Cell::Meta { size } => {
				body.extend_from_slice(&size.to_be_bytes());
				META
			},
			Cell::Data(bytes) => return write_cell(out, DATA, bytes),
			Cell::Receipt(bytes) => return write_cell(out, RECEIPT, bytes),
			Cell::End => END,
			Cell::Error { refusal, reason } => {
				body.push(*refusal as u8);
				let room = out.len().saturating_sub(HEADER_LEN + 1);
				body.extend_from_slice(truncated(reason, room).as_bytes());
				ERROR
			},
		};
		write_cell(out, command, &body)
	}

	/// Reads a cell from the bytes a hop holds once its layer is off.
	pub fn decode(cell: &[u8]) -> Result<Cell, Malformed> {
		let (&command, rest) = cell.split_first().ok_or(Malformed("empty"))?;
		let (len, rest) = rest.split_first_chunk::<2>().ok_or(Malformed("no body length"))?;
		let body = rest
			.get(..usize::from(u16::from_be_bytes(*len)))
			.ok_or(Malformed("body longer than the cell"))?;
		let mut reader = Reader(body);
		let cell = match command {
			EXTEND => {
				Cell::Extend { node: AccountId::new(reader.array()?), handshake: reader.array()? }
			},
			EXTENDED => Cell::Extended { handshake: reader.array()? },
			GET => Cell::Get {
				id: reader.array()?,
				offset: reader.u64()?,
				len: reader.u64()?,
				local: reader.flag()?,
			},
			OUTBOARD => Cell::Outboard { id: reader.array()?, local: reader.flag()? },
			PUT => Cell::Put { id: reader.array()?, size: reader.u64()?, local: reader.flag()? },
			META => Cell::Meta { size: reader.u64()? },
			DATA => return Ok(Cell::Data(body.to_vec())),
			RECEIPT => return Ok(Cell::Receipt(body.to_vec())),
			END => Cell::End,
			ERROR => {
				let refusal = Refusal::from_code(reader.array::<1>()?[0])
					.ok_or(Malformed("unknown refusal"))?;
				let reason = String::from_utf8_lossy(reader.0).into_owned();
				reader.0 = &[];
				Cell::Error { refusal, reason }
			},
			_ => return Err(Malformed("unknown command")),
		};
		if !reader.0.is_empty() {
			return Err(Malformed("trailing bytes in the body"));
		}
		Ok(cell)
	}
}

/// Writes `Cell::Data(bytes)` into `out` (a cell of `out.len()` bytes) without first
/// copying `bytes` into a cell of its own: what an exit does for every cell it streams.
pub fn encode_data_into(bytes: &[u8], out: &mut [u8]) -> Result<(), Malformed> {
	write_cell(out, DATA, bytes)
}

fn write_cell(out: &mut [u8], command: u8, body: &[u8]) -> Result<(), Malformed> {
	let len = u16::try_from(body.len()).map_err(|_| Malformed("body too long"))?;
	let end = HEADER_LEN + body.len();
	if end > out.len() {
		return Err(Malformed("body too long for the cell"));
	}
	out[0] = command;
	out[1..HEADER_LEN].copy_from_slice(&len.to_be_bytes());
	out[HEADER_LEN..end].copy_from_slice(body);
	out[end..].fill(0);
	Ok(())
}

fn truncated(text: &str, max: usize) -> &str {
	let mut end = text.len().min(max);
	while !text.is_char_boundary(end) {
		end -= 1;
	}
	&text[..end]
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
	fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
		let (head, rest) = self.0.split_first_chunk::<N>().ok_or(Malformed("body too short"))?;
		self.0 = rest;
		Ok(*head)
	}

	fn u64(&mut self) -> Result<u64, Malformed> {
		self.array().map(u64::from_be_bytes)
	}

	fn flag(&mut self) -> Result<bool, Malformed> {
		match self.array::<1>()? {
			[0] => Ok(false),
			[1] => Ok(true),
			_ => Err(Malformed("flag neither 0 nor 1")),
		}
	}
}

/// The frame that opens a hop at `depth` with the first Noise message.
pub fn create_frame(depth: u8, handshake: &[u8; HANDSHAKE_LEN]) -> Vec<u8> {
	let mut frame = vec![0u8; FRAME_LEN];
	frame[..4].copy_from_slice(MAGIC);
	frame[4] = depth;
	frame[5..5 + HANDSHAKE_LEN].copy_from_slice(handshake);
	frame
}

/// Reads a hop-opening frame: the depth (1..=[`MAX_DEPTH`]) and the Noise message.
pub fn parse_create(frame: &[u8]) -> Result<(u8, [u8; HANDSHAKE_LEN]), Malformed> {
	if frame.len() != FRAME_LEN || &frame[..4] != MAGIC {
		return Err(Malformed("not a bitcloud onion frame"));
	}
	let depth = frame[4];
	if !(1..=MAX_DEPTH).contains(&depth) {
		return Err(Malformed("depth out of range"));
	}
	let mut handshake = [0u8; HANDSHAKE_LEN];
	handshake.copy_from_slice(&frame[5..5 + HANDSHAKE_LEN]);
	Ok((depth, handshake))
}

/// The frame answering a hop-opening frame with the second Noise message.
pub fn created_frame(handshake: &[u8; HANDSHAKE_LEN]) -> Vec<u8> {
	let mut frame = vec![0u8; FRAME_LEN];
	frame[..4].copy_from_slice(MAGIC);
	frame[4..4 + HANDSHAKE_LEN].copy_from_slice(handshake);
	frame
}

/// Reads the answer to a hop-opening frame.
pub fn parse_created(frame: &[u8]) -> Result<[u8; HANDSHAKE_LEN], Malformed> {
	if frame.len() != FRAME_LEN || &frame[..4] != MAGIC {
		return Err(Malformed("not a bitcloud onion frame"));
	}
	let mut handshake = [0u8; HANDSHAKE_LEN];
	handshake.copy_from_slice(&frame[4..4 + HANDSHAKE_LEN]);
	Ok(handshake)
}

#[cfg(test)]
mod tests {
	use super::*;

	fn round_trip(cell: Cell) {
		let mut out = vec![0xAA; payload_len(3)];
		cell.encode_into(&mut out).unwrap();
		assert_eq!(Cell::decode(&out).unwrap(), cell);
	}

	#[test]
	fn every_cell_round_trips_in_a_fixed_size() {
		round_trip(Cell::Extend { node: AccountId::new([1; 32]), handshake: [2; HANDSHAKE_LEN] });
		round_trip(Cell::Extended { handshake: [3; HANDSHAKE_LEN] });
		round_trip(Cell::Get { id: [4; 32], offset: 5, len: u64::MAX, local: true });
		round_trip(Cell::Outboard { id: [6; 32], local: false });
		round_trip(Cell::Put { id: [7; 32], size: 8, local: true });
		round_trip(Cell::Meta { size: 9 });
		round_trip(Cell::Data(vec![10; max_body(3)]));
		round_trip(Cell::Data(Vec::new()));
		round_trip(Cell::End);
		round_trip(Cell::Receipt(vec![11; 141]));
		round_trip(Cell::Error { refusal: Refusal::NotFound, reason: "nobody holds it".into() });
	}

	#[test]
	fn oversized_bodies_are_refused() {
		let mut out = vec![0; payload_len(3)];
		let too_long = Cell::Data(vec![0; max_body(3) + 1]);
		assert_eq!(too_long.encode_into(&mut out), Err(Malformed("body too long for the cell")));
		// A long reason is cut to fit, on a character boundary.
		let long = Cell::Error { refusal: Refusal::Internal, reason: "é".repeat(FRAME_LEN) };
		long.encode_into(&mut out).unwrap();
		assert!(matches!(Cell::decode(&out), Ok(Cell::Error { refusal: Refusal::Internal, .. })));
	}

	#[test]
	fn malformed_cells_are_errors_not_panics() {
		let cases: &[(&[u8], &str)] = &[
			(&[], "empty"),
			(&[GET], "no body length"),
			(&[GET, 0xFF, 0xFF, 1, 2], "body longer than the cell"),
			(&[GET, 0, 2, 1, 2], "body too short"),
			(&[42, 0, 0], "unknown command"),
			(&[END, 0, 1, 0], "trailing bytes in the body"),
			(&[ERROR, 0, 1, 77], "unknown refusal"),
		];
		for (bytes, reason) in cases {
			assert_eq!(Cell::decode(bytes), Err(Malformed(reason)), "{bytes:?}");
		}
		let mut get = vec![0u8; payload_len(1)];
		Cell::Outboard { id: [0; 32], local: true }.encode_into(&mut get).unwrap();
		get[3 + 32] = 2;
		assert_eq!(Cell::decode(&get), Err(Malformed("flag neither 0 nor 1")));
	}

	#[test]
	fn opening_frames_check_magic_and_depth() {
		let frame = create_frame(2, &[9; HANDSHAKE_LEN]);
		assert_eq!(frame.len(), FRAME_LEN);
		assert_eq!(parse_create(&frame), Ok((2, [9; HANDSHAKE_LEN])));
		assert!(parse_create(&create_frame(0, &[9; HANDSHAKE_LEN])).is_err());
		assert!(parse_create(&create_frame(MAX_DEPTH + 1, &[9; HANDSHAKE_LEN])).is_err());
		assert!(parse_create(&frame[1..]).is_err());
		let mut wrong = frame.clone();
		wrong[0] = b'X';
		assert!(parse_create(&wrong).is_err());
		assert_eq!(parse_created(&created_frame(&[5; HANDSHAKE_LEN])), Ok([5; HANDSHAKE_LEN]));
	}

	#[test]
	fn layers_shrink_by_one_tag_per_hop() {
		assert_eq!(sealed_len(1), FRAME_LEN);
		assert_eq!(payload_len(1), FRAME_LEN - 16);
		assert_eq!(sealed_len(2), payload_len(1));
		assert_eq!(payload_len(3), FRAME_LEN - 48);
	}
}
