//! County data entry (数据填报): the states a period's return goes through, who may move it,
//! and the checks on each figure entered.

use std::fmt;

/// A county's return for one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryStatus {
    /// Being filled in (also after the bureau unlocks an approved return).
    Draft,
    /// Sent to the bureau; the county can no longer change it.
    Submitted,
    /// Sent back by the bureau with a comment; the county corrects and resubmits.
    Returned,
    /// Accepted: its figures are the county's observations, and the period is locked.
    Approved,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Approved => "approved",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Submitted, Self::Returned, Self::Approved]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// Whether the county may still change the figures.
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Draft => "填报中",
            Self::Submitted => "待审核",
            Self::Returned => "已退回",
            Self::Approved => "已审核（锁定）",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Awaiting approval",
            Self::Returned => "Returned",
            Self::Approved => "Approved (locked)",
        }
    }
}

impl fmt::Display for EntryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What can be done to a return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryAction {
    Save,
    Submit,
    Approve,
    Return,
    Unlock,
}

impl EntryAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Save => "save",
            Self::Submit => "submit",
            Self::Approve => "approve",
            Self::Return => "return",
            Self::Unlock => "unlock",
        }
    }
}

/// The state after `action`, or why it is not allowed. Saving and submitting belong to the
/// county, approving, returning and unlocking to the bureau: the caller checks the role, this
/// checks the order.
pub fn transition(from: EntryStatus, action: EntryAction) -> Result<EntryStatus, EntryRefused> {
    use EntryAction as A;
    use EntryStatus as S;
    match (from, action) {
        (S::Draft | S::Returned, A::Save) => Ok(from),
        (S::Draft | S::Returned, A::Submit) => Ok(S::Submitted),
        (S::Submitted, A::Approve) => Ok(S::Approved),
        (S::Submitted, A::Return) => Ok(S::Returned),
        (S::Approved, A::Unlock) => Ok(S::Draft),
        (from, action) => Err(EntryRefused::NotFrom {
            status: from.name_zh(),
            status_en: from.as_str(),
            action: action.as_str(),
        }),
    }
}

crate::problems! {
    /// Why a return cannot take a step.
    pub enum EntryRefused {
        NotFrom { status: &'static str, status_en: &'static str, action: &'static str } = "entry_step_not_allowed" {
            zh: "当前状态“{status}”不能执行“{action}”",
            en: "a {status_en} return cannot take the step '{action}'",
        },
    }
}

/// A change larger than this share of the previous value needs a note explaining it.
pub const NOTE_THRESHOLD: f64 = 0.5;

/// Units whose figures are whole counts.
const COUNT_UNITS: [&str; 6] = ["家", "件", "个", "项", "人", "所"];

crate::problems! {
    /// What can be wrong with one entered figure.
    pub enum FigureProblem {
        NotANumber { raw: String } = "not_a_number" {
            zh: "'{raw}' 不是数字", en: "'{raw}' is not a number",
        },
        Negative = "negative" { zh: "不能为负数", en: "must not be negative" },
        Percentage = "percentage_out_of_range" {
            zh: "比例应在 0 到 100 之间", en: "a percentage is between 0 and 100",
        },
        WholeNumber = "not_whole" { zh: "应为整数", en: "must be a whole number" },
        FarFromPrevious { previous: f64 } = "note_required" {
            zh: "与上期 {previous} 相差超过 50%，请填写说明",
            en: "more than 50% from the previous period's {previous}: add a note",
        },
        NothingEntered = "nothing_entered" {
            zh: "提交前至少填写一项数据", en: "enter at least one figure before submitting",
        },
    }
}

/// Checks one entered figure. `previous` is the same indicator's value for the previous
/// period, if any; a figure far from it is accepted only with a note.
pub fn check_value(
    unit: &str,
    value: f64,
    previous: Option<f64>,
    note: &str,
) -> Result<(), FigureProblem> {
    if !value.is_finite() {
        return Err(FigureProblem::NotANumber {
            raw: value.to_string(),
        });
    }
    if value < 0.0 {
        return Err(FigureProblem::Negative);
    }
    if unit.trim() == "%" && value > 100.0 {
        return Err(FigureProblem::Percentage);
    }
    if COUNT_UNITS.contains(&unit.trim()) && value.fract() != 0.0 {
        return Err(FigureProblem::WholeNumber);
    }
    if let Some(p) = previous {
        let far = if p == 0.0 {
            value != 0.0
        } else {
            ((value - p) / p).abs() > NOTE_THRESHOLD
        };
        if far && note.trim().is_empty() {
            return Err(FigureProblem::FarFromPrevious { previous: p });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_return_moves_in_order() {
        use EntryAction as A;
        use EntryStatus as S;
        assert_eq!(transition(S::Draft, A::Submit), Ok(S::Submitted));
        assert_eq!(transition(S::Submitted, A::Return), Ok(S::Returned));
        assert_eq!(transition(S::Returned, A::Submit), Ok(S::Submitted));
        assert_eq!(transition(S::Submitted, A::Approve), Ok(S::Approved));
        assert!(transition(S::Approved, A::Save).is_err(), "locked");
        assert!(transition(S::Submitted, A::Save).is_err());
        assert!(transition(S::Draft, A::Approve).is_err());
        assert_eq!(transition(S::Approved, A::Unlock), Ok(S::Draft));
    }

    #[test]
    fn figures_are_checked() {
        assert_eq!(
            check_value("亿元", -1.0, None, ""),
            Err(FigureProblem::Negative)
        );
        assert_eq!(
            check_value("%", 101.0, None, ""),
            Err(FigureProblem::Percentage)
        );
        assert!(check_value("%", 2.5, None, "").is_ok());
        assert_eq!(
            check_value("家", 2.5, None, ""),
            Err(FigureProblem::WholeNumber)
        );
        assert_eq!(
            check_value("亿元", 200.0, Some(100.0), ""),
            Err(FigureProblem::FarFromPrevious { previous: 100.0 })
        );
        assert!(check_value("亿元", 200.0, Some(100.0), "新投产项目").is_ok());
        assert!(check_value("亿元", 140.0, Some(100.0), "").is_ok());
        assert!(check_value("亿元", 1.0, Some(0.0), "").is_err());
    }

    proptest! {
        #[test]
        fn a_note_always_admits_a_valid_figure(v in 0.0f64..1e9, p in proptest::option::of(0.0f64..1e9)) {
            prop_assert!(check_value("亿元", v, p, "核实无误").is_ok());
        }

        #[test]
        fn only_approved_returns_are_locked(i in 0usize..4) {
            let s = [EntryStatus::Draft, EntryStatus::Submitted, EntryStatus::Returned, EntryStatus::Approved][i];
            prop_assert_eq!(transition(s, EntryAction::Save).is_ok(), s.editable());
        }
    }
}
