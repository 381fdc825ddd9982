//! How kechuang shows things and reads its visitors, apart from routes and handlers: the
//! interface's two languages, numbers and dates as an officer reads them, SVG charts and county
//! maps, article bodies, audit entries, and what the edge reads from a request before any
//! handler runs (the client's address behind a proxy, a form's CSRF field).
//!
//! Pure functions of their arguments, so they are unit-tested here, in a crate that compiles
//! in seconds, rather than in the HTTP crate.

pub mod audit;
pub mod charts;
pub mod format;
pub mod i18n;
pub mod map;
pub mod markup;
pub mod request;
