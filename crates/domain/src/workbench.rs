//! The workbench (工作台): what waits for whom. Each record in a workflow — an application, a
//! funding batch, a county's return — waits on one role at a time; these rules say which, and
//! what that role is to do, so every role's home page lists exactly its own next steps.

use crate::application::AppStatus;
use crate::auth::Role;
use crate::entry::EntryStatus;
use crate::programme::BatchStage;
use serde::Serialize;

/// Who acts next on an application in `status`; `None` when it waits on nobody (on public
/// notice, or finished).
pub fn application_waits_on(status: AppStatus) -> Option<Role> {
    match status {
        AppStatus::Draft | AppStatus::Returned | AppStatus::Funded => Some(Role::Enterprise),
        AppStatus::Submitted => Some(Role::County),
        AppStatus::CountyPassed
        | AppStatus::BureauPassed
        | AppStatus::Scored
        | AppStatus::Reporting => Some(Role::Bureau),
        AppStatus::ExpertReview => Some(Role::Expert),
        AppStatus::Proposed | AppStatus::Accepted | AppStatus::Rejected => None,
    }
}

/// Who acts next on a county's return in `status`.
pub fn return_waits_on(status: EntryStatus) -> Option<Role> {
    match status {
        EntryStatus::Draft | EntryStatus::Returned => Some(Role::County),
        EntryStatus::Submitted => Some(Role::Bureau),
        EntryStatus::Approved => None,
    }
}

/// The bureau's next step on a funding batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchTodo {
    Review,
    Publish,
    /// Objections to a notice wait for a decision; approval waits for them.
    ResolveObjections,
    Approve,
    Pay,
}

/// What the bureau is to do with a batch at `stage` with `open_objections`, if anything now.
/// A running notice waits for its end, unless objections already wait for a decision.
pub fn batch_todo(stage: BatchStage, open_objections: i64) -> Option<BatchTodo> {
    match stage {
        BatchStage::Submitted => Some(BatchTodo::Review),
        BatchStage::Reviewed => Some(BatchTodo::Publish),
        BatchStage::NoticeRunning | BatchStage::NoticeEnded if open_objections > 0 => {
            Some(BatchTodo::ResolveObjections)
        }
        BatchStage::NoticeEnded => Some(BatchTodo::Approve),
        BatchStage::Approved => Some(BatchTodo::Pay),
        BatchStage::NoticeUpcoming
        | BatchStage::NoticeRunning
        | BatchStage::Paid
        | BatchStage::Void => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_open_application_waits_on_exactly_one_role() {
        for s in AppStatus::ALL {
            let finished = matches!(
                s,
                AppStatus::Proposed | AppStatus::Accepted | AppStatus::Rejected
            );
            assert_eq!(application_waits_on(s).is_none(), finished, "{s:?}");
        }
        assert_eq!(
            application_waits_on(AppStatus::Submitted),
            Some(Role::County)
        );
        assert_eq!(
            application_waits_on(AppStatus::ExpertReview),
            Some(Role::Expert)
        );
        assert_eq!(
            application_waits_on(AppStatus::Funded),
            Some(Role::Enterprise)
        );
    }

    #[test]
    fn a_notice_waits_for_its_end_unless_objections_wait() {
        assert_eq!(batch_todo(BatchStage::NoticeRunning, 0), None);
        assert_eq!(
            batch_todo(BatchStage::NoticeRunning, 2),
            Some(BatchTodo::ResolveObjections)
        );
        assert_eq!(
            batch_todo(BatchStage::NoticeEnded, 1),
            Some(BatchTodo::ResolveObjections)
        );
        assert_eq!(
            batch_todo(BatchStage::NoticeEnded, 0),
            Some(BatchTodo::Approve)
        );
        assert_eq!(batch_todo(BatchStage::Approved, 0), Some(BatchTodo::Pay));
        assert_eq!(batch_todo(BatchStage::Paid, 0), None);
        assert_eq!(batch_todo(BatchStage::NoticeUpcoming, 0), None);
    }

    #[test]
    fn returns_wait_on_the_county_until_sent() {
        assert_eq!(return_waits_on(EntryStatus::Returned), Some(Role::County));
        assert_eq!(return_waits_on(EntryStatus::Submitted), Some(Role::Bureau));
        assert_eq!(return_waits_on(EntryStatus::Approved), None);
    }
}
