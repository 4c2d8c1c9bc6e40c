//! The pallet as pallet-session's `SessionManager`.
//!
//! pallet-session plans session `n + 1` when session `n` starts (it queues the keys one
//! session ahead), so a change made during session `n` is planned at the start of session
//! `n + 1` and is in force from session `n + 2`.

use crate::*;
use alloc::vec::Vec;
use polkadot_sdk::{pallet_session::SessionManager, sp_staking::SessionIndex};

impl<T: Config> SessionManager<T::AccountId> for Pallet<T> {
	/// The set, if it changed since the last session planned; `None` keeps the set in force.
	fn new_session(new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		Self::do_plan_session(new_index)
	}

	/// Sessions 0 and 1 are the genesis set; without one (an empty genesis list),
	/// pallet-session's own genesis keys decide.
	fn new_session_genesis(_new_index: SessionIndex) -> Option<Vec<T::AccountId>> {
		let validators = Validators::<T>::get().into_inner();
		(!validators.is_empty()).then_some(validators)
	}

	fn end_session(_end_index: SessionIndex) {}

	fn start_session(_start_index: SessionIndex) {}
}
