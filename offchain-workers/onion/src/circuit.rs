//! A client's circuit: built telescopically, one Noise handshake per hop through the hops
//! before it, then cells wrapped in one layer per hop.

use crate::{
	cell::{self, payload_len, sealed_len, Cell, Malformed, Refusal, FRAME_LEN},
	directory::RelayInfo,
	link,
	noise::{Initiator, Layer, NoiseError},
};
use bitcloud_primitives::AccountId;
use std::{io, net::SocketAddr, time::Duration};
use tokio::{io::BufReader, net::TcpStream};

/// Time a hop has to answer a handshake or a request, to send a transfer's next cell, or to
/// take the client's next frame: a stalled relay fails the circuit, which the client then
/// rebuilds.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a circuit failed.
#[derive(Debug)]
pub enum CircuitError {
	/// A link broke or timed out.
	Io(io::Error),
	/// A handshake failed or a cell did not open: the circuit is not to be trusted.
	Noise(NoiseError),
	/// A hop sent a cell that is not one.
	Malformed(Malformed),
	/// The last hop refused the request.
	Refused {
		/// Why.
		refusal: Refusal,
		/// Its reason.
		reason: String,
	},
	/// A hop sent a valid cell where another was expected.
	Unexpected(&'static str),
}

impl std::fmt::Display for CircuitError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		match self {
			CircuitError::Io(e) => write!(f, "circuit broken: {e}"),
			CircuitError::Noise(e) => write!(f, "circuit broken: {e}"),
			CircuitError::Malformed(e) => write!(f, "circuit broken: {e}"),
			CircuitError::Refused { refusal, reason } => {
				write!(f, "refused ({refusal:?}): {reason}")
			},
			CircuitError::Unexpected(what) => write!(f, "circuit broken: unexpected {what}"),
		}
	}
}

impl std::error::Error for CircuitError {}

impl From<io::Error> for CircuitError {
	fn from(e: io::Error) -> Self {
		CircuitError::Io(e)
	}
}

impl From<NoiseError> for CircuitError {
	fn from(e: NoiseError) -> Self {
		CircuitError::Noise(e)
	}
}

impl From<Malformed> for CircuitError {
	fn from(e: Malformed) -> Self {
		CircuitError::Malformed(e)
	}
}

/// A circuit failed while being built: `hop` (index in the path) is the relay that could not
/// be reached or did not complete its handshake.
#[derive(Debug)]
pub struct BuildError {
	/// Index in the path of the relay that failed.
	pub hop: usize,
	/// What happened.
	pub error: CircuitError,
}

/// An open circuit.
pub struct Circuit {
	/// The link to the first hop, read up to [`link::FRAMES_PER_READ`] frames at a time.
	stream: BufReader<TcpStream>,
	hops: Vec<(AccountId, Layer)>,
	genesis: [u8; 32],
	frame: Box<[u8; FRAME_LEN]>,
	spare: Box<[u8; FRAME_LEN]>,
}

impl Circuit {
	/// Opens a one-hop circuit to `relay`.
	pub async fn open(relay: &RelayInfo, genesis: &[u8; 32]) -> Result<Self, CircuitError> {
		let capacity = link::FRAMES_PER_READ * FRAME_LEN;
		let mut stream = BufReader::with_capacity(capacity, link::connect(&relay.endpoint).await?);
		let (initiator, first) = Initiator::start(&relay.onion_key, genesis)?;
		let mut frame = Box::new([0u8; FRAME_LEN]);
		frame.copy_from_slice(&cell::create_frame(1, &first));
		timed(link::write_frame(&mut stream, &frame)).await??;
		timed(link::read_frame(&mut stream, &mut frame)).await??;
		let layer = initiator.finish(&cell::parse_created(&frame[..])?)?;
		Ok(Circuit {
			stream,
			hops: vec![(relay.account.clone(), layer)],
			genesis: *genesis,
			frame,
			spare: Box::new([0u8; FRAME_LEN]),
		})
	}

	/// Builds a circuit through `path`, one hop at a time.
	pub async fn build(path: &[RelayInfo], genesis: &[u8; 32]) -> Result<Self, BuildError> {
		let first = path
			.first()
			.ok_or(BuildError { hop: 0, error: CircuitError::Unexpected("empty path") })?;
		let mut circuit =
			Circuit::open(first, genesis).await.map_err(|error| BuildError { hop: 0, error })?;
		for (hop, relay) in path.iter().enumerate().skip(1) {
			circuit.extend(relay).await.map_err(|error| BuildError { hop, error })?;
		}
		Ok(circuit)
	}

	/// Extends the circuit by one hop to `relay`, through the current last hop.
	pub async fn extend(&mut self, relay: &RelayInfo) -> Result<(), CircuitError> {
		let (initiator, first) = Initiator::start(&relay.onion_key, &self.genesis)?;
		self.send(&Cell::Extend { node: relay.account.clone(), handshake: first }).await?;
		match timed(self.recv()).await?? {
			Cell::Extended { handshake } => {
				self.hops.push((relay.account.clone(), initiator.finish(&handshake)?));
				Ok(())
			},
			Cell::Error { refusal, reason } => Err(CircuitError::Refused { refusal, reason }),
			_ => Err(CircuitError::Unexpected("answer to an extension")),
		}
	}

	/// Number of hops.
	pub fn len(&self) -> usize {
		self.hops.len()
	}

	/// Whether the circuit has no hop (never: a circuit is opened with one).
	pub fn is_empty(&self) -> bool {
		self.hops.is_empty()
	}

	/// The relays, first hop first.
	pub fn path(&self) -> Vec<AccountId> {
		self.hops.iter().map(|(account, _)| account.clone()).collect()
	}

	/// The client's own address on its link to the first hop.
	pub fn local_addr(&self) -> io::Result<SocketAddr> {
		self.stream.get_ref().local_addr()
	}

	fn depth(&self) -> u8 {
		// At most MAX_DEPTH hops are ever added (relays refuse deeper extensions).
		self.hops.len() as u8
	}

	/// Largest `Data` body this circuit carries.
	pub fn max_body(&self) -> usize {
		cell::max_body(self.depth())
	}

	/// Sends a cell to the last hop, under every hop's layer.
	pub async fn send(&mut self, cell: &Cell) -> Result<(), CircuitError> {
		let depth = self.depth();
		cell.encode_into(&mut self.frame[..payload_len(depth)])?;
		for (index, (_, layer)) in self.hops.iter_mut().enumerate().rev() {
			let hop = index as u8 + 1;
			layer
				.sealer
				.seal(&self.frame[..payload_len(hop)], &mut self.spare[..sealed_len(hop)])?;
			std::mem::swap(&mut self.frame, &mut self.spare);
		}
		timed(link::write_frame(&mut self.stream, &self.frame)).await??;
		Ok(())
	}

	/// Receives the next cell from the last hop, taking every hop's layer off.
	pub async fn recv(&mut self) -> Result<Cell, CircuitError> {
		link::read_frame(&mut self.stream, &mut self.frame).await?;
		for (index, (_, layer)) in self.hops.iter_mut().enumerate() {
			let hop = index as u8 + 1;
			layer
				.opener
				.open(&self.frame[..sealed_len(hop)], &mut self.spare[..payload_len(hop)])?;
			std::mem::swap(&mut self.frame, &mut self.spare);
		}
		Ok(Cell::decode(&self.frame[..payload_len(self.depth())])?)
	}

	/// Sends a request and reads its `Meta` answer: the content's size.
	pub async fn request(&mut self, request: &Cell) -> Result<u64, CircuitError> {
		self.send(request).await?;
		match timed(self.recv()).await?? {
			Cell::Meta { size } => Ok(size),
			Cell::Error { refusal, reason } => Err(CircuitError::Refused { refusal, reason }),
			_ => Err(CircuitError::Unexpected("answer to a request")),
		}
	}

	/// The next bytes of a transfer (`None` at its end).
	pub async fn data(&mut self) -> Result<Option<Vec<u8>>, CircuitError> {
		match timed(self.recv()).await?? {
			Cell::Data(bytes) => Ok(Some(bytes)),
			Cell::End => Ok(None),
			Cell::Error { refusal, reason } => Err(CircuitError::Refused { refusal, reason }),
			_ => Err(CircuitError::Unexpected("cell in a transfer")),
		}
	}
}

async fn timed<T>(future: impl std::future::Future<Output = T>) -> io::Result<T> {
	tokio::time::timeout(ANSWER_TIMEOUT, future)
		.await
		.map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no answer in time"))
}
