//! Attacks on relays, exits and clients, performed in process over real sockets: storing
//! relays that send an exit bytes their content id refutes (the exit must not pass them on
//! nor pay for them), exits that announce what no content has (the client must not believe
//! them), and peers that hold a relay's circuits (per-peer caps, idle timeouts, extensions
//! back to the relay itself, requests for ids nobody holds).
//!
//! The lying relays here speak the protocol from scratch ([`FakeRelay`]); the honest ones are
//! the crate's own ([`LocalNet`]).

use bitcloud_content::ReceiptSink;
use bitcloud_onion::{
	cell::{self, Cell, Refusal, FRAME_LEN},
	directory::storage_order,
	exit::STORAGE_CANDIDATES,
	link,
	local::LocalNet,
	noise::{self, OnionSecret},
	relay::MAX_CIRCUITS_PER_PEER,
	verify::GROUP_BYTES,
	Anonymous, Circuit, CircuitError, KeyPayer, Limits, RelayConfig, RelayInfo,
};
use bitcloud_primitives::{AccountId, ContentId, SignedReceipt};
use codec::Decode;
use polkadot_sdk::sp_core::{sr25519, Pair, H256};
use std::{
	sync::{atomic::Ordering, Arc, Mutex},
	time::{Duration, Instant},
};
use tokio::{
	io::{AsyncReadExt, AsyncWriteExt},
	net::{TcpListener, TcpStream},
};

const GENESIS: [u8; 32] = [42; 32];

fn content(len: usize, seed: u8) -> Vec<u8> {
	(0..len).map(|i| ((i as u64 * 2_654_435_761) >> 7) as u8 ^ seed).collect()
}

/// What a fake relay answers to a request: any number of cells, possibly without end.
type Answer = Box<dyn Iterator<Item = Cell> + Send>;
type Behaviour = Arc<dyn Fn(&Cell) -> Answer + Send + Sync>;

/// A registered relay that speaks the protocol (upgrade, Noise, layers, cells) and answers as
/// its behaviour says; it keeps the requests and the receipts it gets.
struct FakeRelay {
	info: RelayInfo,
	requests: Arc<Mutex<Vec<Cell>>>,
	receipts: Arc<Mutex<Vec<SignedReceipt<AccountId>>>>,
}

impl FakeRelay {
	async fn start(account: u8, behave: Behaviour) -> FakeRelay {
		let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
		let account = AccountId::new([account; 32]);
		let secret = OnionSecret::dev(account.as_ref());
		let info = RelayInfo {
			endpoint: format!("http://{}", listener.local_addr().unwrap()),
			onion_key: secret.public(),
			account,
		};
		let fake = FakeRelay { info, requests: Arc::default(), receipts: Arc::default() };
		let (requests, receipts) = (fake.requests.clone(), fake.receipts.clone());
		tokio::spawn(async move {
			while let Ok((stream, _)) = listener.accept().await {
				let link = FakeLink {
					secret: secret.clone(),
					behave: behave.clone(),
					requests: requests.clone(),
					receipts: receipts.clone(),
				};
				tokio::spawn(link.serve(stream));
			}
		});
		fake
	}

	fn requests(&self) -> usize {
		self.requests.lock().unwrap().len()
	}

	fn receipts(&self) -> Vec<SignedReceipt<AccountId>> {
		self.receipts.lock().unwrap().clone()
	}
}

struct FakeLink {
	secret: OnionSecret,
	behave: Behaviour,
	requests: Arc<Mutex<Vec<Cell>>>,
	receipts: Arc<Mutex<Vec<SignedReceipt<AccountId>>>>,
}

impl FakeLink {
	async fn serve(self, mut stream: TcpStream) -> Option<()> {
		let mut head = Vec::new();
		while !head.ends_with(b"\r\n\r\n") && head.len() < 4096 {
			head.push(stream.read_u8().await.ok()?);
		}
		let upgraded = format!(
			"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: {}\r\n\r\n",
			link::UPGRADE_PROTOCOL
		);
		stream.write_all(upgraded.as_bytes()).await.ok()?;
		let mut frame = Box::new([0u8; FRAME_LEN]);
		link::read_frame(&mut stream, &mut frame).await.ok()?;
		let (depth, handshake) = cell::parse_create(&frame[..]).ok()?;
		let (answer, mut layer) = noise::respond(&self.secret, &GENESIS, &handshake).ok()?;
		frame.copy_from_slice(&cell::created_frame(&answer));
		link::write_frame(&mut stream, &frame).await.ok()?;
		let (payload, sealed) = (cell::payload_len(depth), cell::sealed_len(depth));
		let mut plain = vec![0u8; FRAME_LEN];
		loop {
			link::read_frame(&mut stream, &mut frame).await.ok()?;
			layer.opener.open(&frame[..sealed], &mut plain[..payload]).ok()?;
			let request = Cell::decode(&plain[..payload]).ok()?;
			if let Cell::Receipt(bytes) = &request {
				let signed = SignedReceipt::<AccountId>::decode(&mut &bytes[..]).ok()?;
				self.receipts.lock().unwrap().push(signed);
				continue;
			}
			self.requests.lock().unwrap().push(request.clone());
			for answer in (self.behave)(&request) {
				answer.encode_into(&mut plain[..payload]).ok()?;
				layer.sealer.seal(&plain[..payload], &mut frame[..sealed]).ok()?;
				link::write_frame(&mut stream, &frame).await.ok()?;
			}
		}
	}
}

/// `Meta`, the bytes in cells of a one-hop circuit, `End`.
fn answer(size: u64, bytes: Vec<u8>) -> Answer {
	let cells: Vec<Cell> =
		bytes.chunks(cell::max_body(1)).map(|c| Cell::Data(c.to_vec())).collect();
	Box::new(std::iter::once(Cell::Meta { size }).chain(cells).chain(std::iter::once(Cell::End)))
}

/// How a storing relay lies about a content it says it holds. Lies about the bytes are told
/// when the whole content is asked for (from offset 0), so that the exit's check of the last
/// chunk group passes and the lie is met while streaming.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Lie {
	/// Other bytes of the same length.
	Garbage,
	/// The right bytes with the one at this offset flipped.
	Flip(u64),
	/// The right bytes, then more.
	TooMany,
	/// Half the bytes, then `End`.
	Short,
	/// Empty `Data` cells, without end.
	EmptyCells,
	/// An outboard with one byte flipped.
	WrongOutboard,
	/// A size no content may have (for a `Get`, where the exit knows the size, that is a lie;
	/// for an `Outboard` it may be a large moderated content: not taken, not held against it).
	HugeSize,
	/// One byte less than the content has, everywhere (outboard, `Meta`, bytes).
	SmallerSize,
}

fn storing_liar(bytes: Arc<Vec<u8>>, outboard: Arc<Vec<u8>>, lie: Lie) -> Behaviour {
	Arc::new(move |request| {
		let real = bytes.len() as u64;
		let size = if lie == Lie::SmallerSize { real - 1 } else { real };
		match *request {
			Cell::Outboard { .. } => {
				let mut data = outboard.to_vec();
				match lie {
					Lie::WrongOutboard => data[3] ^= 1,
					Lie::HugeSize => return answer(1 << 50, data),
					_ => {},
				}
				answer(size, data)
			},
			Cell::Get { offset, len, .. } => {
				let end = offset.saturating_add(len).min(size);
				let start = offset.min(end);
				let mut data = bytes[start as usize..end as usize].to_vec();
				match lie {
					Lie::Garbage if start == 0 => data.iter_mut().for_each(|b| *b = !*b),
					Lie::Flip(at) if (start..end).contains(&at) => data[(at - start) as usize] ^= 1,
					Lie::TooMany if start == 0 => {
						// Every byte asked for, then a cell more before the end.
						let mut cells: Vec<Cell> = answer(size, data).collect();
						cells.insert(cells.len() - 1, Cell::Data(vec![0xAB; 1000]));
						return Box::new(cells.into_iter());
					},
					Lie::Short if start == 0 => data.truncate(data.len() / 2),
					Lie::EmptyCells if start == 0 => {
						let empties = std::iter::repeat_with(|| Cell::Data(Vec::new()));
						return Box::new(std::iter::once(Cell::Meta { size }).chain(empties));
					},
					Lie::HugeSize => return answer(1 << 50, data),
					_ => {},
				}
				answer(size, data)
			},
			_ => Box::new(std::iter::once(Cell::Error {
				refusal: Refusal::BadRequest,
				reason: "not a request".into(),
			})),
		}
	})
}

#[derive(Default)]
struct Kept(Mutex<Vec<SignedReceipt<AccountId>>>);

impl ReceiptSink for Kept {
	fn accepted(&self, receipt: SignedReceipt<AccountId>) {
		self.0.lock().unwrap().push(receipt);
	}
}

impl Kept {
	/// The newest cumulative total (receipts of one exit in one epoch).
	fn total(&self) -> u64 {
		self.0.lock().unwrap().last().map_or(0, |signed| signed.receipt.bytes)
	}
}

/// Account byte of the fake storing relay.
const LIAR: u8 = 200;

/// A content whose storage order, as exit 2 of a four-relay net sees it, asks the liar before
/// relay 3 (the honest storing relay).
fn content_asked_of_the_liar_first(len: usize) -> Vec<u8> {
	let account = |n: u8| AccountId::new([n; 32]);
	let relay =
		|n: u8| RelayInfo { account: account(n), endpoint: String::new(), onion_key: [n; 32] };
	(0..=255u8)
		.map(|seed| content(len, seed))
		.find(|bytes| {
			let mut order = vec![relay(1), relay(2), relay(4), relay(LIAR)];
			storage_order(&mut order, blake3::hash(bytes).as_bytes());
			let position = |n: u8| order.iter().position(|r| r.account == account(n));
			position(LIAR) < position(4)
		})
		.expect("a seed that puts the liar first")
}

/// Relays that pay the storing relays they fetch from; relay 3 keeps its receipts in `kept`.
fn paying(kept: &Arc<Kept>) -> impl Fn(usize, &mut RelayConfig) {
	let payer = Arc::new(KeyPayer {
		pair: sr25519::Pair::from_seed(&[6; 32]),
		genesis: H256(GENESIS),
		epoch: 3,
	});
	let sink = kept.clone();
	move |n, config| {
		config.payer = Some(payer.clone());
		if n == 3 {
			config.receipts = Some(sink.clone());
		}
	}
}

/// Four relays (3 stores `bytes` if `honest_copy`) that pay storing relays, with a lying
/// storing relay listed too; relay 3 keeps its receipts in the returned `Kept`.
async fn net_with_liar(
	bytes: &Arc<Vec<u8>>,
	lie: Lie,
	honest_copy: bool,
) -> (LocalNet, FakeRelay, Arc<Kept>, tempfile::TempDir) {
	let dir = tempfile::tempdir().unwrap();
	// The liar's outboard is the real one (from a scratch store).
	let (scratch, _) = bitcloud_content::ContentStore::open(dir.path().join("scratch")).unwrap();
	let id = scratch.import_bytes(bytes).unwrap();
	let outboard = Arc::new(scratch.reader(&id).unwrap().outboard_bytes().unwrap());
	let liar = FakeRelay::start(LIAR, storing_liar(bytes.clone(), outboard, lie)).await;
	let kept = Arc::new(Kept::default());
	let also = vec![liar.info.clone()];
	let net = LocalNet::start_listing(dir.path(), 4, 3, also, paying(&kept)).await.unwrap();
	assert_eq!(net.genesis, GENESIS);
	if honest_copy {
		assert_eq!(net.stores[3].import_bytes(bytes).unwrap(), id);
	}
	(net, liar, kept, dir)
}

async fn get(anonymous: &Anonymous, id: &ContentId) -> Result<Vec<u8>, String> {
	let mut out = Vec::new();
	let mut progress = |_, _| {};
	let fetched = anonymous.get(id, &mut out, &mut progress);
	match tokio::time::timeout(Duration::from_secs(60), fetched).await {
		Ok(Ok(_)) => Ok(out),
		Ok(Err(e)) => Err(e.0),
		Err(_) => Err("the download never ended".into()),
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_storing_relay_earns_nothing_and_the_client_gets_the_honest_copy() {
	let bytes = Arc::new(content_asked_of_the_liar_first(1_000_000 + 123));
	let id = *blake3::hash(&bytes).as_bytes();
	let size = bytes.len() as u64;
	let lies = [
		Lie::Garbage,
		Lie::Flip(700_001),
		Lie::TooMany,
		Lie::Short,
		Lie::EmptyCells,
		Lie::WrongOutboard,
		Lie::HugeSize,
		Lie::SmallerSize,
	];
	for lie in lies {
		let (net, liar, kept, _dir) = net_with_liar(&bytes, lie, true).await;
		let got =
			get(&net.client(&[0, 1, 2]), &id).await.unwrap_or_else(|e| panic!("{lie:?}: {e}"));
		assert_eq!(got, *bytes, "{lie:?}: the client has the content, byte for byte");
		assert!(liar.requests() > 0, "{lie:?}: the liar was asked first");
		tokio::time::sleep(Duration::from_millis(300)).await;
		assert!(liar.receipts().is_empty(), "{lie:?}: the liar was paid {:?}", liar.receipts());
		let honest = kept.total();
		assert!(honest <= size, "{lie:?}: never more than the content's size");
		// Checked bytes before the lie came from the liar, unpaid; the rest, from the start of
		// the chunk group where the lie was met, from the honest relay.
		let group_of = |byte: u64| byte / GROUP_BYTES * GROUP_BYTES;
		let from_liar = match lie {
			Lie::Flip(at) => group_of(at),
			Lie::Short => group_of(size / 2),
			// Every byte asked for checked out; the cell after them did not.
			Lie::TooMany => size,
			_ => 0,
		};
		assert_eq!(honest, size - from_liar, "{lie:?}: the honest relay is paid the rest");
		assert_eq!(net.relays[2].stats().storing_lied.load(Ordering::SeqCst), 1, "{lie:?}");
		// A dropped liar is not asked again by that exit.
		let asked = liar.requests();
		let got = get(&net.client(&[0, 1, 2]), &id).await.unwrap();
		assert_eq!(got, *bytes);
		assert_eq!(liar.requests(), asked, "{lie:?}: the exit asked the liar again");
	}
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lying_storing_relay_alone_earns_nothing_and_the_client_gets_a_clear_error() {
	let bytes = Arc::new(content(600_000, 9));
	let id = *blake3::hash(&bytes).as_bytes();
	for lie in [Lie::Garbage, Lie::Flip(300_000), Lie::SmallerSize, Lie::WrongOutboard] {
		let (net, liar, _kept, _dir) = net_with_liar(&bytes, lie, false).await;
		let started = Instant::now();
		let err = get(&net.client(&[0, 1, 2]), &id).await.unwrap_err();
		assert!(
			err.contains("NotFound") && err.contains("no copy found matches the content id"),
			"{lie:?}: {err}"
		);
		assert!(started.elapsed() < Duration::from_secs(15), "{lie:?}: at once, no retries");
		tokio::time::sleep(Duration::from_millis(300)).await;
		assert!(liar.receipts().is_empty(), "{lie:?}");
		assert_eq!(net.relays[2].stats().receipts_sent.load(Ordering::SeqCst), 0, "{lie:?}");
	}
}

/// A client's anonymous transfers through a one-hop circuit to `relay` only.
fn through(relay: &RelayInfo) -> Anonymous {
	let mut anonymous = Anonymous::new(vec![relay.clone()], GENESIS);
	anonymous.hops = 1;
	anonymous.first_path = Some(vec![relay.account.clone()]);
	anonymous.attempts = 3;
	anonymous
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_does_not_believe_what_no_content_has() {
	let bytes = Arc::new(content(100_000, 4));
	let id = *blake3::hash(&bytes).as_bytes();
	let dir = tempfile::tempdir().unwrap();
	let (scratch, _) = bitcloud_content::ContentStore::open(dir.path()).unwrap();
	scratch.import_bytes(&bytes).unwrap();
	let outboard = Arc::new(scratch.reader(&id).unwrap().outboard_bytes().unwrap());

	// An exit that announces a size of a petabyte and streams its "outboard" without end.
	let endless = |size: u64| -> Behaviour {
		Arc::new(move |_| {
			let cells = std::iter::repeat_with(|| Cell::Data(vec![0; cell::max_body(1)]));
			Box::new(std::iter::once(Cell::Meta { size }).chain(cells))
		})
	};
	let exit = FakeRelay::start(201, endless(1 << 50)).await;
	let err = get(&through(&exit.info), &id).await.unwrap_err();
	assert!(err.contains("announced 1125899906842624 bytes"), "{err}");
	// A size within bounds, with more outboard than it needs.
	let exit = FakeRelay::start(202, endless(bytes.len() as u64)).await;
	let err = get(&through(&exit.info), &id).await.unwrap_err();
	assert!(err.contains("outboard longer than the content needs"), "{err}");
	// Empty data cells without end, once the outboard is sound.
	let exit =
		FakeRelay::start(203, storing_liar(bytes.clone(), outboard.clone(), Lie::EmptyCells)).await;
	let err = get(&through(&exit.info), &id).await.unwrap_err();
	assert!(err.contains("empty data cell"), "{err}");
	// An outboard that does not hash up to the id.
	let exit =
		FakeRelay::start(204, storing_liar(bytes.clone(), outboard, Lie::WrongOutboard)).await;
	let err = get(&through(&exit.info), &id).await.unwrap_err();
	assert!(err.contains("does not hash up to the content id"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_honest_exit_pays_exactly_the_size_once_per_circuit() {
	let bytes = content(700_000 + 5, 3);
	let dir = tempfile::tempdir().unwrap();
	let kept = Arc::new(Kept::default());
	let net = LocalNet::start_with(dir.path(), 4, 3, paying(&kept)).await.unwrap();
	let id = net.stores[3].import_bytes(&bytes).unwrap();
	// A client that asks for the whole content twice, and a part of it, on one circuit.
	let mut circuit = Circuit::build(&net.path(&[0, 1, 2]), &net.genesis).await.unwrap();
	for (offset, len) in [(0, u64::MAX), (0, u64::MAX), (100, 10)] {
		let size = circuit.request(&Cell::Get { id, offset, len, local: false }).await.unwrap();
		assert_eq!(size, bytes.len() as u64);
		let mut got = Vec::new();
		while let Some(more) = circuit.data().await.unwrap() {
			got.extend(more);
		}
		let end = offset.saturating_add(len).min(size);
		assert_eq!(got, bytes[offset as usize..end as usize]);
	}
	tokio::time::sleep(Duration::from_millis(300)).await;
	assert_eq!(kept.total(), bytes.len() as u64, "the size, once, whatever the client asks");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_peer_cannot_hold_a_relays_circuits() {
	assert_eq!(Limits::default().circuits_per_peer, MAX_CIRCUITS_PER_PEER);
	let dir = tempfile::tempdir().unwrap();
	let net = LocalNet::start(dir.path(), 2, 1).await.unwrap();
	let mut held = Vec::new();
	for _ in 0..MAX_CIRCUITS_PER_PEER {
		held.push(Circuit::open(&net.infos[0], &net.genesis).await.unwrap());
	}
	// One more from the same address is closed at once; the relay is not full.
	let err = Circuit::open(&net.infos[0], &net.genesis).await.err().expect("closed");
	assert!(matches!(err, CircuitError::Io(_)), "{err}");
	assert_eq!(net.relays[0].stats().peer_limited.load(Ordering::SeqCst), 1);
	assert_eq!(net.relays[0].open_circuits(), MAX_CIRCUITS_PER_PEER);
	// Other relays do not care; a circuit given back makes room.
	Circuit::open(&net.infos[1], &net.genesis).await.unwrap();
	held.pop();
	tokio::time::sleep(Duration::from_millis(200)).await;
	Circuit::open(&net.infos[0], &net.genesis).await.unwrap();
}

/// Waits up to `limit` for `relay` to carry no circuit.
async fn until_closed(net: &LocalNet, relay: usize, limit: Duration) -> bool {
	let started = Instant::now();
	while started.elapsed() < limit {
		if net.relays[relay].open_circuits() == 0 {
			return true;
		}
		tokio::time::sleep(Duration::from_millis(50)).await;
	}
	false
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_circuits_and_stalled_peers_are_closed() {
	let dir = tempfile::tempdir().unwrap();
	// Relay 0 closes after a second without a frame; relay 1 waits the default two minutes.
	let net = LocalNet::start_with(dir.path(), 2, 0, |n, config| {
		if n == 0 {
			config.limits.idle_timeout = Duration::from_secs(1);
		}
	})
	.await
	.unwrap();
	let second = Duration::from_secs(5);

	// A client extends through relay 0 and goes silent: relay 0 stops forwarding and closes
	// both links, so relay 1 lets go too.
	let circuit = Circuit::build(&net.path(&[0, 1]), &net.genesis).await.unwrap();
	assert_eq!(net.relays[1].open_circuits(), 1);
	assert!(until_closed(&net, 0, second).await, "the forwarding relay closed");
	assert!(until_closed(&net, 1, second).await, "the next relay heard it");
	drop(circuit);

	// An upload that stops after its announcement.
	let mut circuit = Circuit::open(&net.infos[0], &net.genesis).await.unwrap();
	let id = *blake3::hash(b"never sent").as_bytes();
	circuit.request(&Cell::Put { id, size: 1000, local: true }).await.unwrap();
	assert!(until_closed(&net, 0, second).await, "the stalled upload was closed");
	assert!(circuit.recv().await.is_err());

	// A download whose client stops reading.
	let id = net.stores[0].import_bytes(&content(16 << 20, 7)).unwrap();
	let mut circuit = Circuit::open(&net.infos[0], &net.genesis).await.unwrap();
	circuit.request(&Cell::Get { id, offset: 0, len: u64::MAX, local: true }).await.unwrap();
	assert!(until_closed(&net, 0, Duration::from_secs(10)).await, "the stalled reader was closed");
	assert!(net.relays[0].stats().idle.load(Ordering::SeqCst) >= 3);
	drop(circuit);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_does_not_extend_a_circuit_to_itself() {
	let dir = tempfile::tempdir().unwrap();
	// Another account registered with relay 0's onion key.
	let alias = RelayInfo {
		account: AccountId::new([77; 32]),
		endpoint: "http://127.0.0.1:9".into(),
		onion_key: OnionSecret::dev(&[1; 32]).public(),
	};
	let net =
		LocalNet::start_listing(dir.path(), 2, 1, vec![alias.clone()], |_, _| {}).await.unwrap();
	assert_eq!(alias.onion_key, net.infos[0].onion_key);
	let mut circuit = Circuit::open(&net.infos[0], &net.genesis).await.unwrap();
	for target in [&net.infos[0], &alias] {
		let err = circuit.extend(target).await.unwrap_err();
		assert!(matches!(err, CircuitError::Refused { refusal: Refusal::Refused, .. }), "{err}");
	}
	assert_eq!(net.relays[0].stats().self_extensions.load(Ordering::SeqCst), 2);
	assert_eq!(net.relays[0].open_circuits(), 1, "no circuit came back to the relay");
	// The circuit is still good for a real extension.
	circuit.extend(&net.infos[1]).await.unwrap();
	assert_eq!(circuit.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_get_for_an_id_nobody_holds_costs_a_bounded_answer() {
	let dir = tempfile::tempdir().unwrap();
	let net = LocalNet::start(dir.path(), 12, 11).await.unwrap();
	let unknown = [0xEE; 32];

	// Through an exit: it asks at most STORAGE_CANDIDATES storing relays, then refuses.
	let mut circuit = Circuit::build(&net.path(&[0, 1, 2]), &net.genesis).await.unwrap();
	let started = Instant::now();
	let err = circuit
		.request(&Cell::Get { id: unknown, offset: 0, len: u64::MAX, local: false })
		.await
		.unwrap_err();
	assert!(matches!(err, CircuitError::Refused { refusal: Refusal::NotFound, .. }), "{err}");
	assert!(started.elapsed() < Duration::from_secs(5));
	let asked = (0..12)
		.filter(|&n| n != 2)
		.filter(|&n| {
			net.relays[n].journal().iter().any(|r| r.depth == 1 && r.contents == vec![unknown])
		})
		.count();
	assert_eq!(asked, STORAGE_CANDIDATES, "11 relays listed, {STORAGE_CANDIDATES} asked");

	// At a storing relay: one refusal at once, and the circuit still answers.
	let known = net.stores[11].import_bytes(b"known").unwrap();
	let mut circuit = Circuit::open(&net.infos[11], &net.genesis).await.unwrap();
	let err = circuit
		.request(&Cell::Get { id: unknown, offset: 0, len: u64::MAX, local: true })
		.await
		.unwrap_err();
	assert!(matches!(err, CircuitError::Refused { refusal: Refusal::NotFound, .. }), "{err}");
	let size = circuit.request(&Cell::Get { id: known, offset: 0, len: 5, local: true }).await;
	assert_eq!(size.unwrap(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_cannot_fetch_its_challenged_chunks_anonymously() {
	let bytes = content(100 * 1024, 9);
	let dir = tempfile::tempdir().unwrap();
	let board = Arc::new(bitcloud_content::ChallengeBoard::default());
	let shared = board.clone();
	let net = LocalNet::start_with(dir.path(), 4, 3, move |_, config| {
		config.challenges = Some(shared.clone());
	})
	.await
	.unwrap();
	let id = net.stores[3].import_bytes(&bytes).unwrap();
	board.update([(id, vec![5, 60], Instant::now() + Duration::from_secs(30))]);
	// The circuit ends at the relay that holds the content.
	let mut circuit = Circuit::build(&net.path(&[0, 1, 3]), &net.genesis).await.unwrap();
	let asked = circuit.request(&Cell::Get { id, offset: 5 * 1024, len: 1024, local: false }).await;
	match asked {
		Err(CircuitError::Refused { refusal: Refusal::Busy, reason }) => {
			assert!(reason.contains("storage challenge"), "{reason}")
		},
		other => panic!("challenged chunk handed out: {other:?}"),
	}
	// What no challenge names is served, on a fresh circuit.
	let mut circuit = Circuit::build(&net.path(&[0, 1, 3]), &net.genesis).await.unwrap();
	let size = circuit.request(&Cell::Get { id, offset: 0, len: 4096, local: false }).await;
	assert_eq!(size.unwrap(), bytes.len() as u64);
	let mut got = Vec::new();
	while let Some(more) = circuit.data().await.unwrap() {
		got.extend(more);
	}
	assert_eq!(got, bytes[..4096]);
}
