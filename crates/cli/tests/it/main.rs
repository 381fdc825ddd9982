//! The integration suite, one binary: every test starts from a database of its own, on SQLite
//! and on PostgreSQL, and drives the application as its users do — the command line, the HTTP
//! API, the pages, and headless Chromium. One binary links the application once and sets up the
//! machine once (see `common::setup`).

#[macro_use]
mod common;

mod access;
mod api;
mod applications;
mod browser;
mod competitions;
mod counts;
mod database;
mod demo;
mod entry;
mod events;
mod finance;
mod hardening;
mod instances;
mod offsite;
mod patents;
mod plans;
mod portal;
mod programmes;
mod rd;
mod registries;
mod replicas;
mod report;
mod second_factor;
mod services;
mod supervision;
mod vouchers;
mod workbench;
