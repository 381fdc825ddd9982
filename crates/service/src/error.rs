//! One error policy for operations. An error says what went wrong for the caller — not
//! found, invalid input, not allowed, a conflict with the record's state — with a problem that
//! carries a stable code, details and a message in either language (`kechuang_domain::problem`);
//! or it is internal (storage, a bug), kept with its source for the log and shown to nobody.
//! The edge — a page, the API, the command line — chooses the language and the status.

use kechuang_domain::problem::{Lang, Problem};
use kechuang_store::StoreError;

type Source = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug)]
pub enum Error {
    /// No such record, or one outside the caller's scope (which must look the same).
    NotFound(Box<dyn Problem>),
    /// The input is wrong; the problem says where and why.
    Invalid(Box<dyn Problem>),
    /// The caller may not do this.
    Forbidden(Box<dyn Problem>),
    /// Well-formed, but the record's state does not allow it (a step out of order, a locked
    /// period, a budget that would be overspent).
    Conflict(Box<dyn Problem>),
    /// The server is doing as much of this kind of work as it may at once; the caller may try
    /// again shortly.
    Busy(Box<dyn Problem>),
    Internal(Source),
}

/// Refuses the first kept text input past its length (the catalogue is
/// `kechuang_domain::text::fields`), naming the field; nothing is written.
pub fn within_limits(inputs: &[(&kechuang_domain::text::TextField, &str)]) -> Result<(), Error> {
    kechuang_domain::text::check_lens(inputs)
        .map_err(|mut problems| Error::invalid(problems.swap_remove(0)))
}

impl Error {
    pub fn not_found(p: impl Problem) -> Self {
        Self::NotFound(Box::new(p))
    }
    pub fn invalid(p: impl Problem) -> Self {
        Self::Invalid(Box::new(p))
    }
    pub fn forbidden(p: impl Problem) -> Self {
        Self::Forbidden(Box::new(p))
    }
    pub fn conflict(p: impl Problem) -> Self {
        Self::Conflict(Box::new(p))
    }
    pub fn busy(p: impl Problem) -> Self {
        Self::Busy(Box::new(p))
    }

    /// An internal failure, kept with its cause for the log.
    pub fn internal(cause: impl Into<Source>) -> Self {
        Self::Internal(cause.into())
    }

    fn problem(&self) -> Option<&dyn Problem> {
        match self {
            Self::NotFound(p)
            | Self::Invalid(p)
            | Self::Forbidden(p)
            | Self::Conflict(p)
            | Self::Busy(p) => Some(p.as_ref()),
            Self::Internal(_) => None,
        }
    }

    /// The stable machine code clients branch on.
    pub fn code(&self) -> &'static str {
        self.problem().map_or("internal", |p| p.code())
    }

    /// What the caller is told, in their language; nothing of an internal error's cause.
    pub fn message(&self, lang: Lang) -> String {
        match self.problem() {
            Some(p) => p.message(lang),
            None => Internal.message(lang),
        }
    }

    pub fn details(&self) -> Vec<(&'static str, String)> {
        self.problem().map(|p| p.details()).unwrap_or_default()
    }

    /// Internal errors are logged with their whole chain of causes; the others are the
    /// caller's to read and need no log.
    pub fn log(&self) {
        if let Self::Internal(cause) = self {
            let mut chain = cause.to_string();
            let mut next = cause.source();
            while let Some(c) = next {
                chain.push_str(": ");
                chain.push_str(&c.to_string());
                next = c.source();
            }
            tracing::error!(cause = %chain, "internal error");
        }
    }
}

/// Chinese, the interface's first language; the edges ask for [`Error::message`] instead.
impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message(Lang::Zh))
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Internal(cause) => Some(cause.as_ref()),
            _ => None,
        }
    }
}

kechuang_domain::problems! {
    enum InternalProblem {
        Internal = "internal" {
            zh: "服务器内部错误，请稍后再试或联系管理员",
            en: "internal error: try again later or tell the administrator",
        },
    }
}
use InternalProblem::Internal;

kechuang_domain::problems! {
    /// Records that do not exist — or that exist outside the caller's data scope, which must
    /// look exactly the same.
    pub enum Missing {
        Plan = "plan_not_found" { zh: "尚未载入任何计划", en: "no plan is loaded" },
        Target { code: String } = "target_not_found" {
            zh: "没有目标 {code}", en: "there is no target {code}",
        },
        Indicator { code: String } = "indicator_not_found" {
            zh: "没有指标 {code}", en: "there is no indicator {code}",
        },
        Region { code: String } = "region_not_found" {
            zh: "未找到区划 {code}", en: "region {code} not found",
        },
        County { code: String } = "county_not_found" {
            zh: "未找到县（市、区）{code}", en: "county {code} not found",
        },
        Period { period: String } = "period_not_found" {
            zh: "没有期间 {period}", en: "there is no period {period}",
        },
        Enterprise { uscc: String } = "enterprise_not_found" {
            zh: "未找到企业 {uscc}", en: "enterprise {uscc} not found",
        },
        Application { id: i64 } = "application_not_found" {
            zh: "未找到申报 {id}", en: "application {id} not found",
        },
        ApplicationForm { programme: String } = "programme_takes_no_applications" {
            zh: "资金项目 {programme} 不受理申报", en: "programme {programme} takes no applications",
        },
        User { username: String } = "user_not_found" {
            zh: "未找到用户 {username}", en: "user {username} not found",
        },
        Action { action: String } = "unknown_action" {
            zh: "没有操作 '{action}'", en: "there is no action '{action}'",
        },
        Page { path: String } = "page_not_found" {
            zh: "页面不存在：{path}", en: "no such page: {path}",
        },
        OutOfScope = "not_found" {
            zh: "未找到，或不在您的权限范围内", en: "not found, or outside what you may see",
        },
    }
}

kechuang_domain::problems! {
    enum Setup {
        Config { message: String } = "setup" { zh: "{message}", en: "{message}" },
    }
}

kechuang_domain::problems! {
    /// The database could not let the operation through in time (on SQLite, another writer
    /// such as a large import held the write lock past the busy timeout); nothing was written.
    pub enum Contention {
        Database = "database_busy" {
            zh: "数据库正忙（可能正在导入大文件），本次操作未保存，请稍后再试",
            en: "the database is busy (a large file may be being imported), so nothing was saved: try again shortly",
        },
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::not_found(what),
            StoreError::Refused(why) => Self::conflict(why),
            StoreError::Rule(problem) => Self::Conflict(problem),
            // Set-up the operator must fix (a file that exists, a database not empty): said
            // as the store words it, to the operator who runs the command.
            StoreError::Config(message) => Self::invalid(Setup::Config { message }),
            // Not a fault: the caller may try again. The operator still learns how often
            // writes were turned away, and by what.
            other if other.is_busy() => {
                tracing::warn!(cause = %other, "a write was turned away: the database was busy");
                Self::busy(Contention::Database)
            }
            other => Self::internal(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_keep_their_cause_and_hide_it() {
        let e: Error = StoreError::Corrupt("amount 'x'".into()).into();
        assert_eq!(e.code(), "internal");
        assert!(!e.message(Lang::Zh).contains("amount"));
        assert!(!e.message(Lang::En).contains("amount"));
        assert!(e.message(Lang::En).starts_with("internal error"));
        let source = std::error::Error::source(&e).expect("a source");
        assert!(source.to_string().contains("amount 'x'"));
    }

    #[test]
    fn storage_refusals_are_the_callers_conflicts() {
        let e: Error = StoreError::Refused(kechuang_store::Refusal::NoticeNotRunning).into();
        assert!(matches!(e, Error::Conflict(_)));
        assert_eq!(e.code(), "notice_not_running");
        assert_eq!(
            e.message(Lang::En),
            "the notice is not running, so it takes no objection"
        );
        let e: Error = StoreError::NotFound(kechuang_store::Absent::Batch { id: 7 }).into();
        assert!(matches!(e, Error::NotFound(_)));
        assert_eq!(
            (e.code(), e.details()),
            ("not_found", vec![("id", "7".to_owned())])
        );
    }
}
