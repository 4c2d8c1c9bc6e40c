//! Anonymous downloads and uploads for clients: circuits through random relays, rebuilt when
//! one fails, every byte verified against the content id as in any download.

use crate::{
	cell::Cell,
	cell::Refusal,
	circuit::{BuildError, Circuit, CircuitError},
	directory::{choose_path, RelayInfo},
	verify::{self, OutboardError},
};
use bao_tree::io::outboard::PostOrderMemOutboard;
use bitcloud_content::range_is_valid;
use bitcloud_primitives::{AccountId, ContentId};
use std::io::{self, Read, Write};

/// Hops of a client's circuit.
pub const DEFAULT_HOPS: usize = 3;

/// Circuits a transfer tries before it gives up.
pub const DEFAULT_ATTEMPTS: usize = 10;

/// Bytes verified (and written) at a time.
pub const VERIFY_BYTES: usize = 1 << 20;

/// A failed anonymous transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferError(pub String);

impl std::fmt::Display for TransferError {
	fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
		f.write_str(&self.0)
	}
}

impl std::error::Error for TransferError {}

/// What a transfer did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransferReport {
	/// Content bytes moved (verified, for downloads).
	pub bytes: u64,
	/// The path of every circuit that was built, in order.
	pub circuits: Vec<Vec<AccountId>>,
	/// Circuits that failed to build, with why.
	pub failed_builds: Vec<String>,
}

/// How a client moves content through the onion layer.
#[derive(Debug, Clone)]
pub struct Anonymous {
	/// The relays to choose from (the chain's `NodesApi_onion_relays`).
	pub relays: Vec<RelayInfo>,
	/// The chain's genesis hash.
	pub genesis: [u8; 32],
	/// Hops per circuit.
	pub hops: usize,
	/// The first circuit's path, if the user chose it; later ones are random.
	pub first_path: Option<Vec<AccountId>>,
	/// Circuits tried before giving up.
	pub attempts: usize,
}

/// What to do after a failed step.
enum Step {
	/// Build another circuit (avoiding the named relay) and go on.
	Retry(String, Option<AccountId>),
	/// Stop: no circuit would do better.
	Fail(String),
}

impl From<CircuitError> for Step {
	fn from(e: CircuitError) -> Self {
		match e {
			CircuitError::Refused {
				refusal: refusal @ (Refusal::NotFound | Refusal::BadRequest | Refusal::Refused),
				reason,
			} => Step::Fail(format!("refused ({refusal:?}): {reason}")),
			e => Step::Retry(e.to_string(), None),
		}
	}
}

impl From<io::Error> for Step {
	fn from(e: io::Error) -> Self {
		Step::Fail(e.to_string())
	}
}

impl Anonymous {
	/// Three-hop circuits through `relays`.
	pub fn new(relays: Vec<RelayInfo>, genesis: [u8; 32]) -> Self {
		Anonymous {
			relays,
			genesis,
			hops: DEFAULT_HOPS,
			first_path: None,
			attempts: DEFAULT_ATTEMPTS,
		}
	}

	fn path(&self, attempt: usize, avoid: &[AccountId]) -> Result<Vec<RelayInfo>, TransferError> {
		if let (0, Some(chosen)) = (attempt, &self.first_path) {
			return chosen
				.iter()
				.map(|account| {
					self.relays.iter().find(|relay| relay.account == *account).cloned().ok_or_else(
						|| TransferError(format!("{account} is not an onion relay on chain")),
					)
				})
				.collect();
		}
		choose_path(&self.relays, self.hops, avoid).map_err(TransferError)
	}

	/// Downloads `id` into `out`, verified chunk group by chunk group against the id;
	/// `progress(done, size)` is called as bytes are written.
	pub async fn get(
		&self,
		id: &ContentId,
		out: &mut (dyn Write + Send),
		progress: &mut (dyn FnMut(u64, u64) + Send),
	) -> Result<TransferReport, TransferError> {
		let mut report = TransferReport::default();
		let mut outboard: Option<PostOrderMemOutboard> = None;
		let mut done = 0u64;
		let mut tries = Tries::new(self);
		loop {
			let mut circuit = tries.circuit(&mut report).await?;
			match fetch(&mut circuit, id, &mut outboard, &mut done, out, progress).await {
				Ok(()) => break,
				Err(step) => tries.failed(step)?,
			}
		}
		report.bytes = done;
		Ok(report)
	}

	/// Publishes `size` bytes with id `id`, read from what `open` returns (opened again for
	/// each attempt), to a relay that stores unmoderated content.
	pub async fn put(
		&self,
		id: &ContentId,
		size: u64,
		open: &(dyn Fn() -> io::Result<Box<dyn Read + Send>> + Sync),
	) -> Result<TransferReport, TransferError> {
		let mut report = TransferReport::default();
		let mut tries = Tries::new(self);
		loop {
			let mut circuit = tries.circuit(&mut report).await?;
			match upload(&mut circuit, id, size, open).await {
				Ok(()) => break,
				Err(step) => tries.failed(step)?,
			}
		}
		report.bytes = size;
		Ok(report)
	}
}

/// Circuits for one transfer: a relay that fails to join one, or an exit that sent wrong
/// bytes, is avoided afterwards; after `attempts` circuits the transfer gives up.
struct Tries<'a> {
	anonymous: &'a Anonymous,
	attempt: usize,
	avoid: Vec<AccountId>,
	last: String,
}

impl<'a> Tries<'a> {
	fn new(anonymous: &'a Anonymous) -> Self {
		Tries { anonymous, attempt: 0, avoid: Vec::new(), last: "no circuit tried".into() }
	}

	/// The next circuit that could be built.
	async fn circuit(&mut self, report: &mut TransferReport) -> Result<Circuit, TransferError> {
		while self.attempt < self.anonymous.attempts {
			let path = self
				.anonymous
				.path(self.attempt, &self.avoid)
				.map_err(|e| TransferError(format!("{e}; last: {}", self.last)))?;
			self.attempt += 1;
			match Circuit::build(&path, &self.anonymous.genesis).await {
				Ok(circuit) => {
					report.circuits.push(circuit.path());
					return Ok(circuit);
				},
				Err(BuildError { hop, error }) => {
					let failed = &path[hop.min(path.len() - 1)];
					self.last = format!("relay {} failed: {error}", failed.account);
					log::info!(target: "onion", "circuit not built: {}", self.last);
					report.failed_builds.push(self.last.clone());
					self.avoid.push(failed.account.clone());
				},
			}
		}
		Err(TransferError(format!(
			"gave up after {} circuits; last: {}",
			self.anonymous.attempts, self.last
		)))
	}

	/// Takes a failed step: an error to stop with, or nothing to go on with another circuit.
	fn failed(&mut self, step: Step) -> Result<(), TransferError> {
		match step {
			Step::Fail(reason) => Err(TransferError(reason)),
			Step::Retry(reason, culprit) => {
				log::info!(target: "onion", "circuit failed, building another: {reason}");
				self.avoid.extend(culprit);
				self.last = reason;
				Ok(())
			},
		}
	}
}

async fn fetch(
	circuit: &mut Circuit,
	id: &ContentId,
	outboard: &mut Option<PostOrderMemOutboard>,
	done: &mut u64,
	out: &mut (dyn Write + Send),
	progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<(), Step> {
	let exit = circuit.path().last().cloned();
	if outboard.is_none() {
		*outboard = Some(fetch_outboard(circuit, id).await?);
	}
	let Some(outboard) = outboard.as_ref() else { return Err(Step::Fail("no outboard".into())) };
	let size = outboard.tree.size();
	if *done == size {
		return Ok(());
	}
	let announced = circuit
		.request(&Cell::Get { id: *id, offset: *done, len: size - *done, local: false })
		.await?;
	if announced != size {
		return Err(Step::Retry(
			format!("exit announced {announced} bytes, outboard {size}"),
			exit,
		));
	}
	let mut pending = Vec::with_capacity(VERIFY_BYTES);
	loop {
		let more = next_data(circuit, &exit).await?;
		let finished = more.is_none();
		pending.extend(more.unwrap_or_default());
		if *done + pending.len() as u64 > size {
			return Err(Step::Retry("exit sent more bytes than the content has".into(), exit));
		}
		while pending.len() >= VERIFY_BYTES || (finished && !pending.is_empty()) {
			let take = pending.len().min(VERIFY_BYTES);
			let piece: Vec<u8> = pending.drain(..take).collect();
			if !range_is_valid(outboard, *done, &piece)? {
				let end = *done + take as u64;
				return Err(Step::Retry(
					format!("bytes {done}-{end} do not match the content id: refused"),
					exit,
				));
			}
			out.write_all(&piece)?;
			*done += take as u64;
			progress(*done, size);
		}
		if finished {
			break;
		}
	}
	if *done != size {
		return Err(Step::Retry(format!("transfer ended at {done} of {size} bytes"), exit));
	}
	out.flush()?;
	Ok(())
}

/// The outboard of `id` through `circuit`. What the exit announces is bounded before anything
/// is kept: the size by [`verify::MAX_UNMODERATED_SIZE`], the bytes by the size, the cells by
/// the bytes (no empty ones); and the pairs must hash up to the id.
async fn fetch_outboard(
	circuit: &mut Circuit,
	id: &ContentId,
) -> Result<PostOrderMemOutboard, Step> {
	let exit = circuit.path().last().cloned();
	let size = circuit.request(&Cell::Outboard { id: *id, local: false }).await?;
	let refused = |e: OutboardError| Step::Retry(format!("exit's outboard: {e}"), exit.clone());
	let expected = verify::outboard_len(size).map_err(refused)?;
	let mut data = Vec::new();
	while let Some(bytes) = next_data(circuit, &exit).await? {
		if (data.len() + bytes.len()) as u64 > expected {
			return Err(Step::Retry("outboard longer than the content needs".into(), exit));
		}
		data.extend(bytes);
	}
	verify::checked_outboard(id, size, data).map_err(refused)
}

/// The next bytes of a transfer from the exit (`None` at its end); an empty `Data` cell is
/// refused, so a transfer has at most as many cells as bytes.
async fn next_data(
	circuit: &mut Circuit,
	exit: &Option<AccountId>,
) -> Result<Option<Vec<u8>>, Step> {
	match circuit.data().await? {
		Some(bytes) if bytes.is_empty() => {
			Err(Step::Retry("exit sent an empty data cell".into(), exit.clone()))
		},
		data => Ok(data),
	}
}

async fn upload(
	circuit: &mut Circuit,
	id: &ContentId,
	size: u64,
	open: &(dyn Fn() -> io::Result<Box<dyn Read + Send>> + Sync),
) -> Result<(), Step> {
	circuit.request(&Cell::Put { id: *id, size, local: false }).await?;
	let mut reader = open()?;
	let mut chunk = vec![0u8; circuit.max_body()];
	let mut sent = 0u64;
	loop {
		let n = reader.read(&mut chunk)?;
		if n == 0 {
			break;
		}
		sent += n as u64;
		if sent > size {
			return Err(Step::Fail(format!("the file grew past {size} bytes while publishing")));
		}
		circuit.send(&Cell::Data(chunk[..n].to_vec())).await?;
	}
	if sent != size {
		return Err(Step::Fail(format!("the file has {sent} bytes, {size} expected")));
	}
	circuit.send(&Cell::End).await?;
	match circuit.data().await? {
		None => Ok(()),
		Some(_) => Err(Step::Retry(
			"the exit sent data for an upload".into(),
			circuit.path().last().cloned(),
		)),
	}
}
