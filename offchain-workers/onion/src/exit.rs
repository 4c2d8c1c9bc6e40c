//! The last hop: answers `Get`, `Outboard` and `Put` from its own store, or as an exit,
//! through a one-hop circuit to the relay that stores the content (asked in
//! [`storage_order`]). The client never learns which node stores what it fetches; the
//! storing node sees only the exit.
//!
//! Unmoderated content never goes over plain HTTP: between exit and storing node it travels
//! in a circuit too.

use crate::{
	cell::{Cell, Refusal},
	circuit::{Circuit, CircuitError},
	directory::{storage_order, RelayInfo},
	payment,
	relay::{Hop, HopEnd},
};
use bitcloud_content::{ContentStore, StoreError};
use bitcloud_primitives::{AccountId, ContentId};
use std::{io::Read, sync::Arc};
use tokio::io::{AsyncRead, AsyncWrite};

/// Largest unmoderated content a relay stores.
pub const MAX_UNMODERATED_SIZE: u64 = 4 << 30;

/// Bytes read from the store per step of a transfer.
const READ_STEP: usize = 256 * 1024;

/// A refusal to send back.
type Refused = (Refusal, String);

impl<S: AsyncRead + AsyncWrite + Unpin + Send + 'static> Hop<S> {
	/// Answers one request as the last hop.
	pub(crate) async fn answer(&mut self, request: Cell) -> Result<(), HopEnd> {
		let (Cell::Get { id, local, .. }
		| Cell::Outboard { id, local }
		| Cell::Put { id, local, .. }) = request
		else {
			return self.refuse_malformed("a cell that is not a request").await;
		};
		self.relay.note(self.serial, |record| record.contents.push(id));
		let store = self.relay.config.store.clone();
		let result = match (&request, store) {
			(Cell::Put { size, .. }, Some(store)) if self.relay.config.stores_unmoderated => {
				self.store_here(&store, id, *size).await?
			},
			(Cell::Put { .. }, _) if local => {
				Err((Refusal::Refused, "this node stores no unmoderated content".into()))
			},
			(Cell::Put { .. }, _) => self.through_storing_node(request, id).await?,
			(_, Some(store)) if store.contains(&id) => self.serve_here(&store, request).await?,
			_ if local => Err((Refusal::NotFound, "not stored here".into())),
			_ => self.through_storing_node(request, id).await?,
		};
		match result {
			Ok(()) => Ok(()),
			Err((refusal, reason)) => self.send(&Cell::Error { refusal, reason }).await,
		}
	}

	/// `Get` or `Outboard` from the relay's own store.
	async fn serve_here(
		&mut self,
		store: &Arc<ContentStore>,
		request: Cell,
	) -> Result<Result<(), Refused>, HopEnd> {
		let (id, range) = match request {
			Cell::Get { id, offset, len, .. } => (id, Some((offset, len))),
			Cell::Outboard { id, .. } => (id, None),
			_ => return Ok(Err((Refusal::BadRequest, "not a read".into()))),
		};
		let opened = blocking({
			let store = store.clone();
			move || store.reader(&id)
		})
		.await;
		let reader = match opened {
			Ok(reader) => Arc::new(reader),
			Err(StoreError::NotFound) => return Ok(Err((Refusal::NotFound, "not stored".into()))),
			Err(e) => return Ok(Err(internal(e))),
		};
		let size = reader.size();
		self.send(&Cell::Meta { size }).await?;
		let Some((offset, len)) = range else {
			let outboard =
				match blocking(move || reader.outboard_bytes().map_err(StoreError::Io)).await {
					Ok(bytes) => bytes,
					Err(e) => return Ok(Err(internal(e))),
				};
			self.send_data(&outboard).await?;
			return self.send(&Cell::End).await.map(Ok);
		};
		let end = offset.saturating_add(len).min(size);
		let mut at = offset.min(end);
		while at < end {
			let step = (end - at).min(READ_STEP as u64) as usize;
			let read = blocking({
				let reader = reader.clone();
				move || reader.read_verified(at, step)
			})
			.await;
			match read {
				Ok(bytes) => self.send_data(&bytes).await?,
				Err(e @ StoreError::Corrupt { .. }) => {
					store.quarantine(&id);
					return Ok(Err((Refusal::Internal, e.to_string())));
				},
				Err(e) => return Ok(Err(internal(e))),
			}
			at += step as u64;
		}
		self.send(&Cell::End).await.map(Ok)
	}

	/// `Put` into the relay's own store: the bytes enter it only if they hash to `id`.
	async fn store_here(
		&mut self,
		store: &Arc<ContentStore>,
		id: ContentId,
		size: u64,
	) -> Result<Result<(), Refused>, HopEnd> {
		if size > MAX_UNMODERATED_SIZE {
			return Ok(Err((
				Refusal::Refused,
				format!("larger than {MAX_UNMODERATED_SIZE} bytes"),
			)));
		}
		self.send(&Cell::Meta { size }).await?;
		let (sender, receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(8);
		let import = tokio::task::spawn_blocking({
			let store = store.clone();
			move || {
				store.import(
					ChannelReader { receiver, pending: Vec::new(), at: 0 },
					Some(id),
					Some(size),
				)
			}
		});
		let mut received = 0u64;
		loop {
			match self.recv().await? {
				Cell::Data(bytes) => {
					received = received.saturating_add(bytes.len() as u64);
					// A full channel waits for the import (back-pressure to the client); a
					// closed one means the import stopped: its result says why.
					if sender.send(bytes).await.is_err() || received > size {
						break;
					}
				},
				Cell::End => break,
				_ => return self.refuse_malformed("cell in an upload").await.map(Ok),
			}
		}
		drop(sender);
		let result = import.await.unwrap_or_else(|e| Err(StoreError::Io(std::io::Error::other(e))));
		Ok(match result {
			Ok(_) if received == size => {
				log::info!(target: "onion", "stored unmoderated content {}", hex::encode(id));
				self.send(&Cell::End).await?;
				Ok(())
			},
			Ok(_) => Err((Refusal::Refused, format!("{received} bytes sent, {size} announced"))),
			Err(e) => Err((Refusal::Refused, e.to_string())),
		})
	}

	/// Relays a request to the first storing relay that takes it, through a one-hop
	/// circuit, and pipes the answer back.
	async fn through_storing_node(
		&mut self,
		request: Cell,
		id: ContentId,
	) -> Result<Result<(), Refused>, HopEnd> {
		let relays = match self.storing_candidates(&id).await {
			Ok(relays) => relays,
			Err(refused) => return Ok(Err(refused)),
		};
		let local = match request.clone() {
			Cell::Get { id, offset, len, .. } => Cell::Get { id, offset, len, local: true },
			Cell::Outboard { id, .. } => Cell::Outboard { id, local: true },
			Cell::Put { id, size, .. } => Cell::Put { id, size, local: true },
			_ => return Ok(Err((Refusal::BadRequest, "not a request".into()))),
		};
		let genesis = self.relay.config.genesis;
		let mut last = (Refusal::NotFound, "no relay holds the content".to_string());
		for relay in relays {
			let mut upstream = match Circuit::open(&relay, &genesis).await {
				Ok(circuit) => circuit,
				Err(e) => {
					log::debug!(target: "onion", "storing node unreachable: {e}");
					continue;
				},
			};
			match upstream.request(&local).await {
				Ok(size) => {
					self.send(&Cell::Meta { size }).await?;
					return if matches!(request, Cell::Put { .. }) {
						self.pipe_upload(&mut upstream).await
					} else {
						self.pipe_download(&mut upstream, &relay.account).await
					};
				},
				Err(CircuitError::Refused { refusal, reason }) => last = (refusal, reason),
				Err(e) => log::debug!(target: "onion", "storing node failed: {e}"),
			}
		}
		Ok(Err(last))
	}

	async fn storing_candidates(&mut self, id: &ContentId) -> Result<Vec<RelayInfo>, Refused> {
		let directory = self.relay.directory.clone();
		let mut relays = blocking(move || {
			directory
				.relays()
				.map_err(|e| StoreError::Io(std::io::Error::other(format!("chain view: {e}"))))
		})
		.await
		.map_err(internal)?;
		let own = self.relay.config.node.clone();
		relays.retain(|relay| Some(&relay.account) != own.as_ref());
		storage_order(&mut relays, id);
		Ok(relays)
	}

	async fn pipe_download(
		&mut self,
		upstream: &mut Circuit,
		storing_node: &AccountId,
	) -> Result<Result<(), Refused>, HopEnd> {
		let mut served = 0u64;
		loop {
			match upstream.data().await {
				Ok(Some(bytes)) => {
					served = served.saturating_add(bytes.len() as u64);
					self.send_data(&bytes).await?
				},
				Ok(None) => break,
				// Mid-transfer: the client sees the circuit end and asks again.
				Err(e) => return Err(HopEnd::Malformed(format!("storing node: {e}"))),
			}
		}
		self.send(&Cell::End).await?;
		self.pay(upstream, storing_node, served).await;
		Ok(Ok(()))
	}

	/// Sends the storing node a receipt for `bytes` more (when the node can sign).
	async fn pay(&mut self, upstream: &mut Circuit, storing_node: &AccountId, bytes: u64) {
		let Some(payer) = self.relay.config.payer.clone() else { return };
		let relay = self.relay.clone();
		let node = storing_node.clone();
		let signed =
			tokio::task::spawn_blocking(move || relay.paid.receipt(&*payer, &node, bytes)).await;
		let Ok(Some(signed)) = signed else {
			log::debug!(target: "onion", "no receipt signed for a storing node");
			return;
		};
		if upstream.send(&Cell::Receipt(payment::encode(&signed))).await.is_ok() {
			self.relay.stats().receipts_sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
		}
	}

	async fn pipe_upload(&mut self, upstream: &mut Circuit) -> Result<Result<(), Refused>, HopEnd> {
		loop {
			let cell = self.recv().await?;
			let end = match cell {
				Cell::Data(_) => false,
				Cell::End => true,
				_ => return self.refuse_malformed("cell in an upload").await.map(Ok),
			};
			// Cells towards the client's side are never larger than a one-hop circuit takes.
			upstream.send(&cell).await.map_err(|e| HopEnd::Malformed(e.to_string()))?;
			if end {
				break;
			}
		}
		match upstream.data().await {
			Ok(None) => self.send(&Cell::End).await.map(Ok),
			Ok(Some(_)) => Ok(Err((Refusal::Internal, "storing node sent data".into()))),
			Err(CircuitError::Refused { refusal, reason }) => Ok(Err((refusal, reason))),
			Err(e) => Err(HopEnd::Malformed(format!("storing node: {e}"))),
		}
	}

	/// Sends `bytes` as `Data` cells of the largest size this hop carries.
	async fn send_data(&mut self, bytes: &[u8]) -> Result<(), HopEnd> {
		for chunk in bytes.chunks(self.max_body()) {
			self.send(&Cell::Data(chunk.to_vec())).await?;
		}
		Ok(())
	}
}

/// Runs store or chain work on a blocking thread.
async fn blocking<T: Send + 'static>(
	work: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
	tokio::task::spawn_blocking(work)
		.await
		.unwrap_or_else(|e| Err(StoreError::Io(std::io::Error::other(e))))
}

fn internal(e: StoreError) -> Refused {
	(Refusal::Internal, e.to_string())
}

/// The bytes of an upload, as the store's import reads them.
struct ChannelReader {
	receiver: tokio::sync::mpsc::Receiver<Vec<u8>>,
	pending: Vec<u8>,
	at: usize,
}

impl Read for ChannelReader {
	fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
		while self.at == self.pending.len() {
			match self.receiver.blocking_recv() {
				Some(bytes) => {
					self.pending = bytes;
					self.at = 0;
				},
				None => return Ok(0),
			}
		}
		let n = out.len().min(self.pending.len() - self.at);
		out[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
		self.at += n;
		Ok(n)
	}
}
