//! A network of relays on loopback inside one process, each with its own store: what the
//! crate's tests and `examples/bench.rs` run circuits through.

use crate::{Directory, Limits, OnionSecret, Relay, RelayConfig, RelayInfo};
use bitcloud_content::ContentStore;
use bitcloud_primitives::AccountId;
use std::{path::Path, sync::Arc};
use tokio::net::TcpListener;

/// Relays `0..count` on `127.0.0.1`, relay `n` with account `[n + 1; 32]` and its
/// development onion key.
pub struct LocalNet {
	/// The relays.
	pub relays: Vec<Arc<Relay>>,
	/// What the chain would say of them.
	pub infos: Vec<RelayInfo>,
	/// Their stores.
	pub stores: Vec<Arc<ContentStore>>,
	/// The genesis hash their handshakes are bound to.
	pub genesis: [u8; 32],
}

impl LocalNet {
	/// Starts `count` relays with stores under `dir`; relay `storing` keeps unmoderated
	/// content published through circuits. Must run inside a tokio runtime.
	pub async fn start(dir: &Path, count: u8, storing: usize) -> std::io::Result<LocalNet> {
		Self::start_with(dir, count, storing, |_, _| {}).await
	}

	/// As [`start`](Self::start), with `configure(n, config)` run on relay `n`'s config.
	pub async fn start_with(
		dir: &Path,
		count: u8,
		storing: usize,
		configure: impl Fn(usize, &mut RelayConfig),
	) -> std::io::Result<LocalNet> {
		Self::start_listing(dir, count, storing, Vec::new(), configure).await
	}

	/// As [`start_with`](Self::start_with), with `also_listed` in the relays' directory too:
	/// relays run elsewhere (by a test: a lying storing relay, a silent one), which the
	/// relays here may extend to or ask for content. [`LocalNet::infos`] has only its own.
	pub async fn start_listing(
		dir: &Path,
		count: u8,
		storing: usize,
		also_listed: Vec<RelayInfo>,
		configure: impl Fn(usize, &mut RelayConfig),
	) -> std::io::Result<LocalNet> {
		let genesis = [42; 32];
		let mut listeners = Vec::new();
		let mut infos = Vec::new();
		for n in 0..count {
			// Bound as a node's gateway is: each of its threads on a socket of its own.
			let bound = bitcloud_content::connection::bind(([127, 0, 0, 1], 0).into())?;
			let listener = TcpListener::from_std(bound)?;
			let account = AccountId::new([n + 1; 32]);
			infos.push(RelayInfo {
				endpoint: format!("http://{}", listener.local_addr()?),
				onion_key: OnionSecret::dev(account.as_ref()).public(),
				account,
			});
			listeners.push(listener);
		}
		let listed: Vec<RelayInfo> = infos.iter().cloned().chain(also_listed).collect();
		let directory: Arc<dyn Directory> = Arc::new(listed);
		let (mut relays, mut stores) = (Vec::new(), Vec::new());
		for (n, listener) in listeners.into_iter().enumerate() {
			let (store, _) = ContentStore::open(dir.join(format!("relay-{n}")))
				.map_err(|e| std::io::Error::other(e.to_string()))?;
			let store = Arc::new(store);
			let account = infos[n].account.clone();
			let mut config = RelayConfig {
				secret: OnionSecret::dev(account.as_ref()),
				genesis,
				node: Some(account),
				store: Some(store.clone()),
				stores_unmoderated: n == storing,
				receipts: None,
				payer: None,
				limits: Limits::default(),
				challenges: None,
			};
			configure(n, &mut config);
			let relay = Relay::new(config, directory.clone());
			tokio::spawn(bitcloud_content::gateway::serve(listener, crate::router(relay.clone())));
			relays.push(relay);
			stores.push(store);
		}
		Ok(LocalNet { relays, infos, stores, genesis })
	}

	/// The relays `indices`, in that order.
	pub fn path(&self, indices: &[usize]) -> Vec<RelayInfo> {
		indices.iter().map(|&n| self.infos[n].clone()).collect()
	}

	/// Anonymous transfers whose first circuit goes through `indices`.
	pub fn client(&self, indices: &[usize]) -> crate::Anonymous {
		let mut anonymous = crate::Anonymous::new(self.infos.clone(), self.genesis);
		anonymous.hops = indices.len();
		anonymous.first_path = Some(self.path(indices).into_iter().map(|r| r.account).collect());
		anonymous
	}
}
