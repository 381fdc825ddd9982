//! Every operation a user or script performs — importing a file, a batch's steps, an
//! application's review, redeeming a voucher, entering a county's figures, logging in — is one
//! function here. The web handlers and the command line only parse input, call these and
//! render what they return, so an operation behaves the same wherever it is started.
//!
//! Below this crate the store keeps records and the domain decides; this crate fetches what a
//! decision needs, asks the domain, and writes the outcome.

pub mod accounts;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod clock;
pub mod competitions;
pub mod entry;
pub mod error;
pub mod events;
pub mod finance;
pub mod imports;
pub mod offsite;
pub mod open_data;
pub mod patents;
pub mod plans;
pub mod portal;
pub mod programmes;
pub mod progress;
pub mod rd;
pub mod registries;
pub mod report;
pub mod second_factor;
pub mod services;
pub mod supervision;
pub mod vouchers;
pub mod workbench;

pub use error::{within_limits, Error, Missing};

/// What a form that checks every field before saving answers: saved, or the problems by
/// field (a form field, an attachment slot, a rubric criterion, an indicator) with nothing
/// saved.
#[derive(Debug)]
pub enum Saved {
    Done,
    Refused(Vec<kechuang_domain::problem::FieldProblem>),
}
