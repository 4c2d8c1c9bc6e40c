//! Unit tests of the node registry, by area.

mod registration;
mod registry;
mod standing;
mod subscriptions;
mod testing_utils;
mod unsubscription;
