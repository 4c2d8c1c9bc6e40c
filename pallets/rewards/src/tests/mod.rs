//! Unit tests of the reward distribution, by area.

mod api;
mod claims;
mod economics;
mod formula;
mod invariants;
mod pruning;
mod schedule;
mod testing_utils;
