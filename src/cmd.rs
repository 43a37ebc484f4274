//! Commands on top: each subcommand's IO in a file of its own, calling
//! down into the rooms that hold the work (nothing lower imports these).

pub mod ledger;
