//! Unit tests of the validator set, by area.

mod add_validator;
mod invariants;
mod remove_validator;
mod session;
mod testing_utils;
