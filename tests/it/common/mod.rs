//! Shared test helpers: a moto server per test, SDK clients for it, seeding,
//! and states built from fixed data.

pub mod flows;
pub mod mocks;
pub mod moto;
pub mod org;
pub mod proxy;
pub mod screen;
pub mod states;
pub mod tmux;
