//! All SQL of kechuang. One `Store` serves SQLite (one city, embedded) and PostgreSQL (a
//! province), through sqlx's `Any` driver so each query is written once in portable SQL; the
//! few places where the backends differ branch on [`Backend`].
//!
//! Error policy: storage errors surface as [`StoreError`]; `NotFound` is the only variant
//! callers are expected to match on (it becomes a 404).

mod accounts;
mod applications;
mod audit;
mod backup;
mod batches;
mod competitions;
pub use competitions::{
    Assignment, Closing, CompetitionRecord, EntryRecord, EntryUpload, NewCompetition, NewEntry,
    PrizeAward, RoundEntry, RoundRecord, RoundScore,
};
mod db;
mod entry;
mod events;
pub use events::{EventRecord, EventWrite, NewRegistration, RegistrationRecord};
mod finance;
pub use finance::{
    AgreementRecord, BankRecord, ClaimHistory, ClaimRecord, CoInvestor, InvestmentRecord,
    LoanFilter, LoanRecord, LoanRevision, LoanWrite, MemberRecord, NewClaim, NewInvestment,
    NewPoolApplication, PoolApplicationRecord, ReserveBalance, ReserveEntryRecord, SeedFundRecord,
};
mod ledger;
mod objections;
mod offsite;
pub use offsite::{NewSite, SiteFile, SiteRecord};
mod native_reads;
pub use native_reads::EnterpriseLookup;
mod observations;
mod patents;
pub use patents::{NamedEnterprise, PatentCounts, PatentFilter, PatentItem, PatentState};
mod plans;
mod portal;
pub use portal::{
    ArticleFile, ArticleFilter, ArticleRecord, ArticleRevision, ArticleWrite, Category,
};
mod programmes;
mod rd;
pub use rd::TrainingItem;
mod regions;
mod registries;
pub use registries::Generations;
mod registry_writer;
pub use registry_writer::{ReferenceLoad, RegistryWrite};
mod refusal;
mod reports;
mod second_factor;
pub use second_factor::Challenge;
mod services;
pub use services::{
    BookingRecord, InstrumentRecord, NewInstrument, NewOffering, OfferingRecord, RequestRecord,
    ServiceCounts,
};
mod sql;
mod supervision;
pub use supervision::{
    DraftRecord, ReminderRecord, ReportFile, ReportRecord, ReportWrite,
    RevisionRecord as PlanRevision,
};
mod vouchers;
pub use vouchers::{NewRedemption, ProviderRecord, VoucherRecord};

pub use accounts::{NewUser, SessionRecord, TokenRecord, User};
pub use applications::{
    ApplicationFilter, ApplicationRecord, CallFile, CallRecord, FileRecord, ScoreRecord,
};
pub use audit::{Actor, AuditEntry, AuditFilter, AuditRecord, Verification, Visibility};
pub use backup::CopySummary;
pub use batches::{AwardRecord, BatchRecord, BatchStep};
pub use db::{Backend, DatabaseTarget, Store};
pub use entry::{EntryReturn, EntryValue, TransitionRecord};
pub use ledger::{Grant, LedgerRecord};
pub use objections::{NewObjection, ObjectionRecord};
pub use observations::{
    NewObservation, ObservationRecord, Provenance, RevisionRecord, WriteSummary,
};
pub use plans::{PlanItem, PlanSummary};
pub use programmes::BudgetLine;
pub use refusal::{Absent, Refusal};
pub use registries::{
    CertificateItem, CountChange, CountCursor, CountedRecord, EnterpriseFilter, EnterpriseItem,
    PlatformFilter, PlatformItem,
};
pub use reports::{ImportReport, NewReport, ReportProblem};
pub use sql::Page;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    NotFound(Absent),
    /// Refused by the record's state or a key the database keeps: a step out of order, a
    /// budget that would be overspent, a notice not yet over, a record that exists already.
    #[error("{0}")]
    Refused(Refusal),
    /// Refused by a domain rule, with the rule's own problem (its code, details and both
    /// languages), which the service hands on unchanged.
    #[error("{}", .0.message(kechuang_domain::problem::Lang::Zh))]
    Rule(Box<dyn kechuang_domain::problem::Problem>),
    /// A configuration problem the operator must fix: a mistyped URL, a missing file.
    #[error("{0}")]
    Config(String),
    /// Stored data that does not fit the domain's rules (edited by hand, or a bug).
    #[error("数据库中的数据无效 (invalid stored data): {0}")]
    Corrupt(String),
    #[error("数据库错误 (database error): {0}")]
    Database(#[from] sqlx::Error),
    /// From the native SQLite connection that bulk imports write through.
    #[error("数据库错误 (database error): {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("数据库迁移失败 (migration failed): {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// The database could not let this operation through in time, and nothing of it was
    /// written: on SQLite another writer (a large import, another process) held the write
    /// lock past the busy timeout; on PostgreSQL the transaction was chosen to end a deadlock
    /// or a serialization conflict (40P01, 40001), or waited past a lock timeout (55P03); or
    /// every connection of the pool stayed taken. The same request may well succeed a moment
    /// later, so the caller is told to try again rather than shown an internal error.
    pub fn is_busy(&self) -> bool {
        match self {
            Self::Database(sqlx::Error::PoolTimedOut) => true,
            Self::Database(sqlx::Error::Database(d)) => {
                if let Some(e) = d.try_downcast_ref::<sqlx::sqlite::SqliteError>() {
                    sqlx::error::DatabaseError::code(e).is_some_and(|c| sqlite_busy(&c))
                } else if let Some(e) = d.try_downcast_ref::<sqlx::postgres::PgDatabaseError>() {
                    matches!(e.code(), "40001" | "40P01" | "55P03")
                } else {
                    false
                }
            }
            Self::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ),
            _ => false,
        }
    }
}

/// SQLite's SQLITE_BUSY (5) and SQLITE_LOCKED (6), also in their extended forms, whose
/// primary code is the low byte.
fn sqlite_busy(code: &str) -> bool {
    code.parse::<i64>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))
}

/// A write the database's own rules refused (a budget's CHECK, a once-only unique key): the
/// caller's refusal, worded by `what`, rather than a database failure.
pub(crate) fn money_error(e: sqlx::Error, what: impl FnOnce() -> Refusal) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_check_violation() || d.is_unique_violation() => {
            StoreError::Refused(what())
        }
        _ => StoreError::Database(e),
    }
}

impl StoreError {
    /// A refusal by a domain rule.
    pub fn rule(p: impl kechuang_domain::problem::Problem) -> Self {
        Self::Rule(Box::new(p))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A date as stored: YYYY-MM-DD.
pub(crate) fn date_str(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A stored date; anything else is corrupt data.
pub(crate) fn parse_date(s: &str) -> Result<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("date '{s}'")))
}

/// Current time as stored: RFC 3339 in UTC, second precision.
pub(crate) fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::sqlite_busy;

    #[test]
    fn busy_and_locked_are_told_from_other_sqlite_failures() {
        // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_BUSY_TIMEOUT, SQLITE_LOCKED and
        // SQLITE_LOCKED_SHAREDCACHE: each means "not now".
        for code in ["5", "517", "773", "6", "262"] {
            assert!(sqlite_busy(code), "{code}");
        }
        // A constraint (19) and its UNIQUE form (2067), a read-only database (8), a full
        // disk (13): retrying would not help, so these stay errors.
        for code in ["19", "2067", "8", "13", "", "x"] {
            assert!(!sqlite_busy(code), "{code}");
        }
    }
}
