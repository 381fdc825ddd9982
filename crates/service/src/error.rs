//! One error policy for operations: what went wrong for the caller (not found, bad input, not
//! allowed, a conflict with the record's state) or inside (storage, a bug). The edge — a page,
//! the API, the command line — turns it into its own answer. Storage's `NotFound` becomes
//! `NotFound` here and nowhere else; an internal error keeps its source for the log and shows
//! the caller nothing of it.

use kechuang_store::StoreError;

type Source = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    /// The request is well-formed but conflicts with the record's state (a locked period).
    #[error("{0}")]
    Conflict(String),
    #[error("服务器内部错误 (internal error)")]
    Internal(#[source] Source),
}

impl Error {
    /// An internal failure, kept with its cause for the log.
    pub fn internal(cause: impl Into<Source>) -> Self {
        Self::Internal(cause.into())
    }

    /// The stable machine code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::BadRequest(_) => "bad_request",
            Self::Forbidden(_) => "forbidden",
            Self::Conflict(_) => "conflict",
            Self::Internal(_) => "internal",
        }
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

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound(what),
            StoreError::Conflict(what) => Self::Conflict(what),
            StoreError::Refused(why) => Self::Conflict(why),
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
        assert!(!e.to_string().contains("amount"));
        let source = std::error::Error::source(&e).expect("a source");
        assert!(source.to_string().contains("amount 'x'"));
    }

    #[test]
    fn storage_refusals_are_the_callers_conflicts() {
        let e: Error = StoreError::Refused("公示未结束".into()).into();
        assert_eq!(e.code(), "conflict");
        assert_eq!(e.to_string(), "公示未结束");
    }
}
