//! kechuang's domain: the types and rules the rest of the system relies on, with no I/O.
//!
//! Everything here is pure so it can be tested by plain unit and property tests; storage,
//! files and HTTP live in the other crates and hand data in and out of these types.

pub mod application;
pub mod auth;
pub mod competition;
pub mod count_index;
pub mod entry;
pub mod evaluate;
pub mod event;
pub mod finance;
pub mod formula;
pub mod indicator;
pub mod money;
pub mod offsite;
pub mod patent;
pub mod period;
pub mod plan;
pub mod plan_copy;
pub mod portal;
pub mod problem;
pub mod programme;
pub mod progress;
pub mod rd;
pub mod region;
pub mod registry;
pub mod rule_text;
pub mod second_factor;
pub mod series;
pub mod services;
pub mod supervision;
pub mod text;
pub mod uscc;
pub mod voucher;
pub mod workbench;

pub use period::Period;
pub use region::RegionCode;
