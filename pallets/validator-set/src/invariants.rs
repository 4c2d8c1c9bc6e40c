//! Invariants of the validator set, checked by `try_state` and after every unit test.

use crate::*;
use frame_support::{
	ensure,
	traits::{Get, ValidatorRegistration},
};
use polkadot_sdk::sp_runtime::TryRuntimeError;

impl<T: Config> Pallet<T> {
	/// Check every invariant of the pallet's storage:
	///
	/// - the set holds `MinValidators` to `MaxValidators` validators;
	/// - no validator appears twice;
	/// - every validator has session keys (a validator that purges its keys breaks this:
	///   pallet-session then leaves it out of the sets it queues, and it should be removed).
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let len = Validators::<T>::decode_len().unwrap_or_default();
		ensure!(len <= T::MaxValidators::get() as usize, "validators above MaxValidators");
		// Empty if the stored set does not decode.
		let validators = Validators::<T>::get();
		ensure!(
			validators.len() >= T::MinValidators::get() as usize,
			"validators below MinValidators"
		);
		for (i, validator) in validators.iter().enumerate() {
			ensure!(!validators[..i].contains(validator), "duplicate validator");
			ensure!(
				T::ValidatorRegistration::is_registered(validator),
				"validator without session keys"
			);
		}
		Ok(())
	}
}
