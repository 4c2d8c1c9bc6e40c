//! Unit tests of the moderator registry, by area.

mod catalog;
mod commission;
mod deny_list;
mod moderators;
mod proofs;
mod proposals;
mod registry;
mod testing_utils;
