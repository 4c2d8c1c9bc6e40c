//! Keeps the content services' [`ChallengeBoard`] current: at every new best block, the
//! chunks under pending storage challenges (`StorageLawApi::open_challenges`), which the
//! gateway and the onion relay then refuse to whoever could be the challenged node.

use std::{sync::Arc, time::Instant};

use bitcloud_content::ChallengeBoard;
use bitcloud_runtime::{opaque::Block, AccountId, BlockNumber};
use futures::StreamExt;
use pallet_storage_law::runtime_api::StorageLawApi;
use polkadot_sdk::{
	sc_client_api::BlockchainEvents, sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend,
};

use crate::{client::FullClient, runtime_params};

/// Refreshes `board` at every new best block until the future is dropped.
pub async fn follow(client: Arc<FullClient>, board: Arc<ChallengeBoard>) {
	refresh(&client, &board);
	let mut blocks = client.import_notification_stream();
	while let Some(block) = blocks.next().await {
		if block.is_new_best {
			refresh(&client, &board);
		}
	}
}

/// Puts the challenges pending at the best block on `board`. A failed query leaves the
/// board as it was: its challenges close by themselves at their deadlines.
fn refresh(client: &FullClient, board: &ChallengeBoard) {
	let info = client.info();
	let open = StorageLawApi::<Block, AccountId, BlockNumber>::open_challenges(
		&*client.runtime_api(),
		info.best_hash,
	);
	match open {
		Ok(open) => {
			let now = Instant::now();
			board.update(open.into_iter().map(|(content, chunks, deadline)| {
				// Answers are taken up to the deadline's block: the chunks are free once the
				// block after it is due.
				let blocks = deadline.saturating_sub(info.best_number).saturating_add(1);
				let closes = now.checked_add(runtime_params::blocks(blocks)).unwrap_or(now);
				(content, chunks.into_inner(), closes)
			}))
		},
		Err(e) => log::warn!(target: "content", "cannot list the open storage challenges: {e}"),
	}
}
