//! The logic behind each call and behind session planning: checks first, then writes, then
//! the event.

use crate::*;
use alloc::vec::Vec;
use frame_support::{
	ensure,
	pallet_prelude::DispatchResult,
	traits::{Get, ValidatorRegistration},
};
use polkadot_sdk::sp_staking::SessionIndex;

impl<T: Config> Pallet<T> {
	/// Append `who`, which has session keys, to the set.
	pub(crate) fn do_add_validator(who: T::AccountId) -> DispatchResult {
		let mut validators = Validators::<T>::get();
		ensure!(!validators.contains(&who), Error::<T>::AlreadyValidator);
		ensure!(T::ValidatorRegistration::is_registered(&who), Error::<T>::NoSessionKeys);
		validators.try_push(who.clone()).map_err(|_| Error::<T>::TooManyValidators)?;

		Validators::<T>::put(validators);
		SetChanged::<T>::put(true);
		Self::deposit_event(Event::ValidatorAdded { who });
		Ok(())
	}

	/// Take `who` out of the set, keeping the order of the others.
	pub(crate) fn do_remove_validator(who: T::AccountId) -> DispatchResult {
		let mut validators = Validators::<T>::get();
		let position = validators.iter().position(|v| *v == who).ok_or(Error::<T>::NotValidator)?;
		ensure!(validators.len() > T::MinValidators::get() as usize, Error::<T>::TooFewValidators);
		validators.remove(position);

		Validators::<T>::put(validators);
		SetChanged::<T>::put(true);
		Self::deposit_event(Event::ValidatorRemoved { who });
		Ok(())
	}

	/// pallet-session plans `session`: hand it the set if it changed since the last plan.
	pub(crate) fn do_plan_session(session: SessionIndex) -> Option<Vec<T::AccountId>> {
		if !SetChanged::<T>::take() {
			return None;
		}
		let validators = Validators::<T>::get().into_inner();
		Self::deposit_event(Event::ValidatorSetPlanned { session, validators: validators.clone() });
		Some(validators)
	}
}
