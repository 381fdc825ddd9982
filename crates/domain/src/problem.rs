//! Problems a caller can see: each a variant of its area's error enum, with a stable
//! snake_case code that clients branch on, structured details (field, row, limit…), and a
//! message in either interface language, chosen at the edge — a page in its language, the API
//! by `Accept-Language`, the command line by `--lang`.
//!
//! [`problems!`](crate::problems) declares an area's enum with all three side by side, so a new
//! problem cannot be added without its code and both messages.

use std::fmt;

/// The interface languages: Simplified Chinese first, English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The language a `LANG`-style locale (`en_US.UTF-8`, `zh_CN`) or an `Accept-Language`
    /// tag asks for; Chinese unless it is English.
    pub fn from_tag(tag: &str) -> Self {
        let t = tag.trim().to_ascii_lowercase();
        if t.starts_with("en") {
            Self::En
        } else {
            Self::Zh
        }
    }
}

/// A problem reported to whoever caused it or can fix it.
pub trait Problem: fmt::Debug + Send + Sync + 'static {
    /// Stable across releases: clients and tests branch on it.
    fn code(&self) -> &'static str;
    fn message(&self, lang: Lang) -> String;
    /// The values the message names, by name, for clients that show their own text.
    fn details(&self) -> Vec<(&'static str, String)>;
}

/// A problem with one named field of a form — a form field, an attachment slot, a rubric
/// criterion, an indicator — so a page can show it beside the field and the API can key it
/// by the field, each in the caller's language.
#[derive(Debug)]
pub struct FieldProblem {
    /// The field's key, as the form or the API names it.
    pub field: String,
    /// What the user sees the field called, put before the message; `None` when the message
    /// stands alone.
    pub label: Option<String>,
    pub problem: Box<dyn Problem>,
}

impl FieldProblem {
    pub fn new(field: impl Into<String>, problem: impl Problem) -> Self {
        Self {
            field: field.into(),
            label: None,
            problem: Box::new(problem),
        }
    }

    pub fn labelled(
        field: impl Into<String>,
        label: impl Into<String>,
        problem: impl Problem,
    ) -> Self {
        Self {
            field: field.into(),
            label: Some(label.into()),
            problem: Box::new(problem),
        }
    }

    pub fn code(&self) -> &'static str {
        self.problem.code()
    }

    pub fn message(&self, lang: Lang) -> String {
        let m = self.problem.message(lang);
        match (&self.label, lang) {
            (None, _) => m,
            (Some(l), Lang::Zh) => format!("「{l}」{m}"),
            (Some(l), Lang::En) => format!("{l}: {m}"),
        }
    }

    /// Field and message pairs in one language, for a page.
    pub fn worded(problems: &[FieldProblem], lang: Lang) -> Vec<(String, String)> {
        problems
            .iter()
            .map(|p| (p.field.clone(), p.message(lang)))
            .collect()
    }
}

/// A field's problem stands alone too: its code, its message, and the field among the details,
/// so an operation that stops at one field's problem reports it as any other.
impl Problem for FieldProblem {
    fn code(&self) -> &'static str {
        self.problem.code()
    }

    fn message(&self, lang: Lang) -> String {
        FieldProblem::message(self, lang)
    }

    fn details(&self) -> Vec<(&'static str, String)> {
        let mut d = vec![("field", self.field.clone())];
        d.extend(self.problem.details());
        d
    }
}

/// A problem worded in both languages in one sentence, `中文 (English)`, for the places that
/// still show one text to everyone (import reports, form fields); they move to codes and
/// details of their own area by area.
pub fn bilingual(p: &dyn Problem) -> String {
    format!("{} ({})", p.message(Lang::Zh), p.message(Lang::En))
}

/// Declares an area's error enum: each variant with its code and its message in both
/// languages, which may name the variant's fields (`{field}`).
///
/// ```
/// kechuang_domain::problems! {
///     /// What can be wrong with a year.
///     pub enum YearError {
///         NotAYear { raw: String } = "invalid_year" {
///             zh: "年度 '{raw}' 无效", en: "'{raw}' is not a year",
///         },
///     }
/// }
/// use kechuang_domain::problem::{Lang, Problem};
/// let e = YearError::NotAYear { raw: "20x8".into() };
/// assert_eq!(e.code(), "invalid_year");
/// assert_eq!(e.message(Lang::En), "'20x8' is not a year");
/// ```
#[macro_export]
macro_rules! problems {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident $({ $($field:ident : $fty:ty),* $(,)? })? = $code:literal {
                    zh: $zh:literal, en: $en:literal $(,)?
                }
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant $({ $($field: $fty),* })? ),*
        }

        impl $crate::problem::Problem for $name {
            fn code(&self) -> &'static str {
                match self {
                    $( Self::$variant { .. } => $code ),*
                }
            }

            #[allow(unused_variables)]
            fn message(&self, lang: $crate::problem::Lang) -> String {
                match self {
                    $( Self::$variant $({ $($field),* })? => match lang {
                        $crate::problem::Lang::Zh => format!($zh),
                        $crate::problem::Lang::En => format!($en),
                    } ),*
                }
            }

            fn details(&self) -> Vec<(&'static str, String)> {
                match self {
                    $( Self::$variant $({ $($field),* })? => vec![
                        $($( (stringify!($field), $field.to_string()) ),*)?
                    ] ),*
                }
            }
        }

        /// Chinese, the interface's first language: what logs and a plain `{}` show.
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::problem::Problem::message(self, $crate::problem::Lang::Zh))
            }
        }

        impl std::error::Error for $name {}
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    problems! {
        enum Sample {
            Plain = "plain" { zh: "出错了", en: "went wrong" },
            Named { row: usize, limit: i64 } = "over_limit" {
                zh: "第{row}行超过上限 {limit}", en: "row {row} is over the limit of {limit}",
            },
        }
    }

    #[test]
    fn each_variant_has_its_code_details_and_both_messages() {
        let e = Sample::Named { row: 3, limit: 10 };
        assert_eq!(e.code(), "over_limit");
        assert_eq!(e.message(Lang::Zh), "第3行超过上限 10");
        assert_eq!(e.message(Lang::En), "row 3 is over the limit of 10");
        assert_eq!(
            e.details(),
            vec![("row", "3".to_owned()), ("limit", "10".to_owned())]
        );
        assert_eq!(e.to_string(), "第3行超过上限 10");
        assert_eq!(Sample::Plain.code(), "plain");
        assert!(Sample::Plain.details().is_empty());
    }

    #[test]
    fn languages_from_locale_tags() {
        assert_eq!(Lang::from_tag("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_tag("en-GB,en;q=0.9"), Lang::En);
        assert_eq!(Lang::from_tag("zh_CN.UTF-8"), Lang::Zh);
        assert_eq!(Lang::from_tag("C"), Lang::Zh);
        assert_eq!(Lang::from_tag(""), Lang::Zh);
    }
}
