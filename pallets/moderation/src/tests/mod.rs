//! Unit tests of the moderator registry, by area.

mod catalog;
mod deny_list;
mod moderators;
mod proposals;
mod registry;
mod testing_utils;
