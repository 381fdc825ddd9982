//! The workbench (工作台): each role's list of what waits for it — a county's return to
//! review or to send, applications at the caller's stage, batches whose next step is the
//! bureau's, expert scores due, vouchers to redeem — each with where it is done, and overdue
//! items first. The rules of who acts next are the domain's (`kechuang_domain::workbench`);
//! this gathers the caller's records within their scope.

use crate::auth::Principal;
use crate::clock::today_in_china;
use crate::programmes::funds_scope;
use crate::Error;
use chrono::NaiveDate;
use kechuang_domain::application::{stage_due, AppStatus};
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::entry::EntryStatus;
use kechuang_domain::voucher::VoucherStatus;
use kechuang_domain::workbench::{application_waits_on, batch_todo, return_waits_on, BatchTodo};
use kechuang_store::{ApplicationFilter, Store};

/// What is to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TodoKind {
    /// The bureau reviews a county's submitted return.
    ReviewReturn,
    /// The county completes and sends (or corrects and resends) its return.
    SendReturn {
        returned: bool,
    },
    /// The caller's step on an application at this status.
    Application(AppStatus),
    /// An expert scores an application assigned to them.
    Score,
    Batch(BatchTodo),
    /// An enterprise redeems a voucher before it expires.
    Redeem,
    /// The county recommends, or the bureau admits, a pool application.
    PoolApplication(kechuang_domain::finance::PoolStatus),
    /// A bank sees an enterprise admitted to the pool that chose it (for 30 days).
    PoolAdmitted,
    /// The bureau's step on a compensation claim.
    Claim(kechuang_domain::finance::ClaimStatus),
    /// An enterprise's own R&D survey: the county checks a submitted one, the bureau accepts
    /// a checked one, the enterprise revises a returned one.
    RdSurvey(kechuang_domain::rd::SurveyStatus),
    /// A unit reports (or corrects a returned report) on a task's period.
    TaskReport {
        returned: bool,
    },
    /// The bureau accepts or returns a unit's submitted progress report.
    ReviewTaskReport,
    /// A colleague publishes or returns an article sent for review.
    ReviewArticle,
    /// An expert scores a competition entry in an open round.
    ScoreEntry,
    /// The bureau screens a competition's entries before its rounds begin.
    ScreenEntries,
}

impl TodoKind {
    /// Stable, for the API and for tests.
    pub fn code(self) -> &'static str {
        match self {
            Self::ReviewReturn => "review_return",
            Self::SendReturn { returned: false } => "send_return",
            Self::SendReturn { returned: true } => "resend_return",
            Self::Application(AppStatus::Draft) => "submit_application",
            Self::Application(AppStatus::Returned) => "revise_application",
            Self::Application(AppStatus::Funded) => "report_application",
            Self::Application(AppStatus::Submitted) => "county_review",
            Self::Application(AppStatus::CountyPassed) => "bureau_review",
            Self::Application(AppStatus::BureauPassed) => "assign_experts",
            Self::Application(AppStatus::Scored) => "propose_funding",
            Self::Application(AppStatus::Reporting) => "accept_report",
            Self::Application(_) => "application",
            Self::Score => "score_application",
            Self::Batch(BatchTodo::Review) => "review_batch",
            Self::Batch(BatchTodo::Publish) => "publish_batch",
            Self::Batch(BatchTodo::ResolveObjections) => "resolve_objections",
            Self::Batch(BatchTodo::Approve) => "approve_batch",
            Self::Batch(BatchTodo::Pay) => "pay_batch",
            Self::Redeem => "redeem_voucher",
            Self::PoolApplication(_) => "pool_application",
            Self::PoolAdmitted => "pool_admitted",
            Self::Claim(_) => "compensation_claim",
            Self::RdSurvey(kechuang_domain::rd::SurveyStatus::Submitted) => "check_rd_survey",
            Self::RdSurvey(kechuang_domain::rd::SurveyStatus::Checked) => "accept_rd_survey",
            Self::RdSurvey(_) => "revise_rd_survey",
            Self::TaskReport { returned: false } => "report_task",
            Self::TaskReport { returned: true } => "revise_task_report",
            Self::ReviewTaskReport => "review_task_report",
            Self::ReviewArticle => "review_article",
            Self::ScoreEntry => "score_entry",
            Self::ScreenEntries => "screen_entries",
        }
    }
}

/// One thing that waits for the caller.
#[derive(Debug, Clone)]
pub struct Todo {
    pub kind: TodoKind,
    /// What it is about: an application's title, a batch's programme and year, a county and
    /// period, a voucher's code.
    pub subject: String,
    /// Whose it is: the enterprise, the county.
    pub whose: String,
    /// The page where it is done.
    pub link: String,
    pub due: Option<NaiveDate>,
    pub overdue: bool,
}

/// The caller's home: their to-do list, and for a county officer their county, for an
/// enterprise its own page.
#[derive(Debug, Clone, Default)]
pub struct Workbench {
    pub todos: Vec<Todo>,
    /// An enterprise's subscribed categories' new articles, newest first.
    pub news: Vec<kechuang_store::ArticleRecord>,
    /// A county officer's county (code, name).
    pub county: Option<(String, String)>,
    /// An enterprise account's enterprise (credit code).
    pub enterprise: Option<String>,
}

pub async fn workbench(store: &Store, who: &Principal) -> Result<Workbench, Error> {
    let today = today_in_china();
    let tree = store.region_tree().await?;
    let region_name = |code: &str| tree.name_of(code).unwrap_or(code).to_owned();
    let mut out = Workbench::default();
    let role = who.role();

    // Applications at the caller's stage, within their scope.
    let filter = match who.scope() {
        DataScope::Enterprise(uscc) => Some(ApplicationFilter {
            uscc: Some(uscc.clone()),
            ..Default::default()
        }),
        DataScope::Region(_) => Some(ApplicationFilter {
            regions: Some(who.regions(&tree)?.iter().map(|r| r.to_string()).collect()),
            ..Default::default()
        }),
        DataScope::Assigned if role == Role::Expert => Some(ApplicationFilter {
            expert: Some(who.username().to_owned()),
            ..Default::default()
        }),
        _ => None,
    };
    if let Some(filter) = filter {
        for a in store.applications(&filter).await? {
            if application_waits_on(a.status) != Some(role) {
                continue;
            }
            let kind = if role == Role::Expert {
                // Only while this expert's own score is still to come.
                let mine = store
                    .scores(a.id)
                    .await?
                    .into_iter()
                    .any(|s| s.expert == who.username() && s.total.is_none());
                if !mine {
                    continue;
                }
                TodoKind::Score
            } else {
                TodoKind::Application(a.status)
            };
            let due = NaiveDate::parse_from_str(&a.closes_on, "%Y-%m-%d")
                .ok()
                .and_then(|c| match a.status {
                    AppStatus::Draft => Some(c),
                    s => stage_due(s, c),
                });
            out.todos.push(Todo {
                kind,
                subject: if a.title.is_empty() {
                    a.call_title.clone()
                } else {
                    a.title.clone()
                },
                whose: a.name.clone(),
                link: format!("/applications/{}", a.id),
                overdue: due.is_some_and(|d| today > d),
                due,
            });
        }
    }

    // Counties' returns: the county sends its own, the bureau reviews those sent.
    if matches!(role, Role::County | Role::Bureau) {
        let regions = who.regions(&tree)?;
        for r in store.entry_returns(Some(&regions)).await? {
            if return_waits_on(r.status) != Some(role) {
                continue;
            }
            let kind = match r.status {
                EntryStatus::Submitted => TodoKind::ReviewReturn,
                s => TodoKind::SendReturn {
                    returned: s == EntryStatus::Returned,
                },
            };
            out.todos.push(Todo {
                kind,
                subject: r.period.clone(),
                whose: region_name(&r.region_code),
                link: format!("/entry/{}/{}", r.region_code, r.period),
                due: None,
                overdue: false,
            });
        }
    }

    // Funding batches whose next step is the bureau's.
    if role == Role::Bureau {
        let scope = funds_scope(store, who).await?;
        let separate: std::collections::HashSet<String> = store
            .programmes()
            .await?
            .into_iter()
            .filter(|p| p.separate_duties)
            .map(|p| p.code)
            .collect();
        for b in store.batches(None).await? {
            if !scope.covers(&b.programme_code) {
                continue;
            }
            let Some(todo) = batch_todo(b.stage(today), b.open_objections) else {
                continue;
            };
            // Another officer approves a batch this one generated.
            if todo == BatchTodo::Approve
                && separate.contains(&b.programme_code)
                && b.created_by == who.username()
            {
                continue;
            }
            out.todos.push(Todo {
                kind: TodoKind::Batch(todo),
                subject: format!("{} {}", b.programme_name, b.year),
                whose: String::new(),
                link: format!("/batches/{}", b.id),
                due: None,
                overdue: false,
            });
        }
    }

    // An enterprise's vouchers still to redeem.
    if let DataScope::Enterprise(uscc) = who.scope() {
        out.enterprise = Some(uscc.clone());
        for v in store.vouchers(Some(uscc)).await? {
            let expires = NaiveDate::parse_from_str(&v.expires_on, "%Y-%m-%d").ok();
            if v.status != VoucherStatus::Issued || expires.is_some_and(|e| e < today) {
                continue;
            }
            out.todos.push(Todo {
                kind: TodoKind::Redeem,
                subject: v.code.clone(),
                whose: v.name.clone(),
                link: "/vouchers".to_owned(),
                due: expires,
                overdue: false,
            });
        }
    }

    finance_todos(store, who, today, &mut out.todos).await?;
    rd_todos(store, who, &mut out.todos).await?;
    task_todos(store, who, today, &mut out.todos).await?;
    for a in crate::portal::to_review(store, who).await? {
        out.todos.push(Todo {
            kind: TodoKind::ReviewArticle,
            subject: a.title.clone(),
            whose: a.submitted_by.clone().unwrap_or_default(),
            link: format!("/portal/manage/{}#review", a.id),
            due: None,
            overdue: false,
        });
    }
    competition_todos(store, who, &mut out.todos).await?;
    out.news = crate::portal::news_for(store, who, 10, chrono::Utc::now()).await?;

    if role == Role::County {
        if let DataScope::Region(own) = who.scope() {
            out.county = Some((own.to_string(), region_name(own.as_str())));
        }
    }
    // Overdue first, then by due date (undated last), then as gathered.
    out.todos
        .sort_by_key(|t| (!t.overdue, t.due.is_none(), t.due));
    Ok(out)
}

/// The competition: an expert's entries to score in open rounds; for the bureau, each
/// competition whose entries await screening (until its rounds begin).
async fn competition_todos(
    store: &Store,
    who: &Principal,
    todos: &mut Vec<Todo>,
) -> Result<(), Error> {
    for a in crate::competitions::to_score(store, who).await? {
        todos.push(Todo {
            kind: TodoKind::ScoreEntry,
            subject: format!("{}（{}）", a.title, a.stage.name_zh()),
            whose: a.competition.clone(),
            link: format!("/competitions/entries/{}#score", a.entry_id),
            due: None,
            overdue: false,
        });
    }
    if who.role() == Role::Bureau {
        for c in store.competitions().await? {
            let waiting = store
                .competition_entries(c.id)
                .await?
                .iter()
                .filter(|e| e.status == kechuang_domain::competition::EntryStatus::Registered)
                .count();
            if waiting > 0 && store.competition_rounds(c.id).await?.is_empty() {
                todos.push(Todo {
                    kind: TodoKind::ScreenEntries,
                    subject: format!("{}（{waiting}）", c.title),
                    whose: String::new(),
                    link: format!("/competitions/{}#entries", c.id),
                    due: None,
                    overdue: false,
                });
            }
        }
    }
    Ok(())
}

/// Task reports: a unit's next report on each task it leads, the bureau's reports to review.
async fn task_todos(
    store: &Store,
    who: &Principal,
    today: NaiveDate,
    todos: &mut Vec<Todo>,
) -> Result<(), Error> {
    use kechuang_domain::supervision::PeriodState;
    for (t, unit, p) in crate::supervision::todos(store, who, today).await? {
        let kind = if who.role() == Role::Bureau {
            TodoKind::ReviewTaskReport
        } else {
            TodoKind::TaskReport {
                returned: p.state == PeriodState::Returned
                    || p.report.as_ref().is_some_and(|r| {
                        r.status == kechuang_domain::supervision::ReportStatus::Returned
                    }),
            }
        };
        todos.push(Todo {
            kind,
            subject: format!("{} {}（{}）", t.task.code, t.task.title, p.period),
            whose: unit,
            link: format!(
                "/supervision/{}/tasks/{}?period={}#report",
                t.plan_id, t.task.code, p.period
            ),
            overdue: p.state == PeriodState::Overdue,
            due: Some(p.due),
        });
    }
    Ok(())
}

/// R&D surveys waiting for the caller: for the county and the bureau those at their step, for
/// an enterprise its own returned survey of last year.
async fn rd_todos(store: &Store, who: &Principal, todos: &mut Vec<Todo>) -> Result<(), Error> {
    use kechuang_domain::rd::SurveyStatus;
    if let DataScope::Enterprise(uscc) = who.scope() {
        let year = chrono::Datelike::year(&today_in_china()) - 1;
        if let Some((s, SurveyStatus::Returned, _)) = store.survey_of(uscc, year).await? {
            todos.push(Todo {
                kind: TodoKind::RdSurvey(SurveyStatus::Returned),
                subject: format!("{year}"),
                whose: s.name,
                link: format!("/rd/survey?year={year}"),
                due: None,
                overdue: false,
            });
        }
        return Ok(());
    }
    for s in crate::rd::waiting_surveys(store, who).await? {
        let status = if who.role() == Role::County {
            SurveyStatus::Submitted
        } else {
            SurveyStatus::Checked
        };
        todos.push(Todo {
            kind: TodoKind::RdSurvey(status),
            subject: format!("{}", s.year),
            whose: s.name.clone(),
            link: format!("/rd/surveys/{}/{}", s.uscc, s.year),
            due: None,
            overdue: false,
        });
    }
    Ok(())
}

/// Tech finance's to-dos: pool applications at the caller's stage, claims at the bureau's,
/// and for a bank the enterprises newly admitted that chose it — how a bank is told.
async fn finance_todos(
    store: &Store,
    who: &Principal,
    today: NaiveDate,
    todos: &mut Vec<Todo>,
) -> Result<(), Error> {
    use kechuang_domain::finance::{claim_actions, ClaimStatus, PoolStatus};
    let role = who.role();
    if !matches!(role, Role::Bureau | Role::County | Role::Bank) {
        return Ok(());
    }
    let view = crate::finance::pool(store, who).await?;
    for a in &view.applications {
        let mine = match (role, a.status) {
            (Role::County, PoolStatus::Submitted) | (Role::Bureau, PoolStatus::Recommended) => {
                Some(TodoKind::PoolApplication(a.status))
            }
            (Role::Bank, PoolStatus::Admitted) => {
                // Told for a month after the admission.
                let recent = a
                    .decided_at
                    .as_deref()
                    .and_then(|d| d.get(..10))
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                recent
                    .is_some_and(|d| (today - d).num_days() <= 30)
                    .then_some(TodoKind::PoolAdmitted)
            }
            _ => None,
        };
        if let Some(kind) = mine {
            todos.push(Todo {
                kind,
                subject: format!("{} 万元", a.requested.wan_text()),
                whose: a.name.clone(),
                link: format!("/finance/pool#application-{}", a.id),
                due: None,
                overdue: false,
            });
        }
    }
    if role == Role::Bureau {
        for c in crate::finance::claims(store, who).await? {
            if claim_actions(c.status).is_empty() {
                continue;
            }
            // Another officer approves a claim this one reviewed.
            if c.status == ClaimStatus::Reviewed && c.reviewed_by.as_deref() == Some(who.username())
            {
                continue;
            }
            todos.push(Todo {
                kind: TodoKind::Claim(c.status),
                subject: c.contract_no.clone(),
                whose: c.name.clone(),
                link: format!("/finance/claims#claim-{}", c.id),
                due: None,
                overdue: false,
            });
        }
    }
    Ok(())
}
