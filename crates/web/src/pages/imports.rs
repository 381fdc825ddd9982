//! The upload page: send a file, see its validation report on screen (a dry run unless asked
//! otherwise), download the report as XLSX, and commit.

use super::{render, sheet_download, Choice, Chrome, OrPage, PageError, SheetFormat, Viewer};
use crate::auth::Caller;
use crate::error::{Absent, AppError};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use kechuang_domain::registry::CertificateKind;
use kechuang_service::imports::{self, FileKind, Upload};

struct ProblemLine {
    row: usize,
    column: String,
    value: String,
    problem: String,
}

struct UploadOutcome {
    file_name: String,
    rows: usize,
    dry_run: bool,
    written: Option<(usize, usize, usize)>,
    problems: Vec<ProblemLine>,
    report_href: String,
    /// A clean dry run's kept file, which "确认导入" imports as it was checked.
    held: Option<String>,
    /// The choices it was checked with, in words.
    choices: String,
}

/// What was chosen on the form, carried from the dry run to the page that confirms it.
#[derive(Default, Clone, Copy)]
struct Choices {
    kind: Option<FileKind>,
    cert_kind: Option<CertificateKind>,
    dry_run: bool,
    legacy: bool,
}

/// One of the caller's earlier imports.
struct HistoryLine {
    at: String,
    kind: String,
    file_name: String,
    rows: i64,
    outcome: &'static str,
    outcome_class: &'static str,
    report_href: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Chrome,
    csrf: String,
    /// (kind, label) of each template to download.
    templates: Vec<(&'static str, String)>,
    history: Vec<HistoryLine>,
    kinds: Vec<Choice>,
    cert_kinds: Vec<Choice>,
    dry_run: bool,
    legacy: bool,
    result: Option<UploadOutcome>,
    error: Option<String>,
}

fn kind_label(k: FileKind, en: bool) -> String {
    let (zh, e) = match k.as_str() {
        "enterprises" => ("企业名录", "Enterprises"),
        "certificates" => ("证书与认定", "Certificates and statuses"),
        "platforms" => ("创新平台", "Innovation platforms"),
        "facts" => ("企业年度数据", "Enterprises' annual figures"),
        "patents" => ("专利清单", "Patent list"),
        "pool-members" => ("风险准备金入池企业", "Credit risk pool members"),
        "loans" => ("合作银行贷款台账", "Partner banks' loans"),
        "rd-survey" => (
            "企业研究开发活动情况（107-2）",
            "Enterprise R&D survey (107-2)",
        ),
        "super-deduction" => ("研发费用加计扣除名单", "R&D super-deduction list"),
        "rd-training" => (
            "研发统计培训签到表",
            "R&D statistics training sign-in sheet",
        ),
        _ => ("指标数据", "Indicator figures"),
    };
    if en { e } else { zh }.to_owned()
}

fn cert_label(k: CertificateKind, en: bool) -> String {
    if en { k.name_en() } else { k.name() }.to_owned()
}

/// The choices a file was checked with, in words: what it holds, and the options.
fn choices_text(c: &Choices, lang: crate::i18n::Lang) -> String {
    let en = lang.is_en();
    let mut parts: Vec<String> = c.kind.map(|k| kind_label(k, en)).into_iter().collect();
    parts.extend(c.cert_kind.map(|k| cert_label(k, en)));
    if c.legacy {
        parts.push(lang.tr().import_legacy.to_owned());
    }
    parts.join(" · ")
}

async fn page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    chosen: Choices,
    result: Option<UploadOutcome>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let en = v.lang.is_en();
    let tr = v.lang.tr();
    let history = imports::history(&st.store, &who.actor())
        .await
        .page(v.lang)?
        .into_iter()
        .map(|r| {
            let (outcome, outcome_class) = if !r.problems.is_empty() {
                (tr.import_refused, "behind")
            } else if r.written {
                (tr.import_done, "achieved")
            } else if r.dry_run {
                (tr.import_checked, "on_track")
            } else {
                (tr.import_nothing_new, "plain")
            };
            HistoryLine {
                at: crate::format::timestamp(&r.created_at),
                kind: FileKind::parse(&r.kind).map_or(r.kind.clone(), |k| kind_label(k, en)),
                file_name: r.file_name,
                rows: r.rows,
                outcome,
                outcome_class,
                report_href: format!("/import/reports/{}.xlsx", r.id),
            }
        })
        .collect();
    let p = ImportPage {
        chrome: Chrome::new(v, "import", v.lang.tr().nav_import.into(), uri, None),
        csrf: who.csrf().to_owned(),
        templates: FileKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_label(*k, en)))
            .collect(),
        history,
        kinds: FileKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.as_str().to_owned(),
                label: kind_label(*k, en),
                selected: Some(*k) == chosen.kind,
            })
            .collect(),
        cert_kinds: CertificateKind::ALL
            .iter()
            .map(|k| Choice {
                value: k.code().to_owned(),
                label: cert_label(*k, en),
                selected: Some(*k) == chosen.cert_kind,
            })
            .collect(),
        // A first visit checks before it writes.
        dry_run: chosen.dry_run || chosen.kind.is_none(),
        legacy: chosen.legacy,
        result,
        error,
    };
    let status = if p.error.is_some() || p.result.as_ref().is_some_and(|r| !r.problems.is_empty()) {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    let mut res = render(&p, v.lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn form(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    page(&st, &v, &who, &uri, Choices::default(), None, None).await
}

/// A blank file to fill in for one kind of import: `/import/templates/enterprises.xlsx`.
pub async fn template(
    v: Viewer,
    _: Caller,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let kind = file
        .strip_suffix(".xlsx")
        .and_then(FileKind::parse)
        .ok_or_else(|| {
            PageError(
                AppError::not_found(Absent::Template { file: file.clone() }),
                v.lang,
            )
        })?;
    let table = imports::template(kind).page(v.lang)?;
    sheet_download(
        &table,
        SheetFormat::Xlsx,
        &format!("导入模板-{}.xlsx", kind_label(kind, false)),
        v.lang,
    )
}

/// What a sent or confirmed file came to, as the page shows it.
fn outcome_view(
    received: imports::Received,
    file_name: String,
    dry_run: bool,
    chosen: &Choices,
    lang: crate::i18n::Lang,
) -> UploadOutcome {
    let o = received.outcome;
    UploadOutcome {
        file_name,
        rows: o.rows,
        dry_run,
        written: o.summary.map(|s| (s.inserted, s.updated, s.unchanged)),
        problems: o
            .problems
            .into_iter()
            .map(|p| ProblemLine {
                row: p.row,
                column: p.column,
                value: p.value,
                problem: p.problem,
            })
            .collect(),
        report_href: format!("/import/reports/{}.xlsx", received.report_id),
        held: received.held,
        choices: choices_text(chosen, lang),
    }
}

#[derive(serde::Deserialize)]
pub struct ConfirmForm {
    held: String,
}

/// "确认导入": imports the file a clean dry run kept, as it was checked, without sending it
/// again.
pub async fn confirm(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    axum::Form(f): axum::Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    match imports::commit_held(&st.store, &f.held, &who.actor(), &st.spool).await {
        Ok(received) => {
            let file_name = st
                .store
                .report(received.report_id, who.username())
                .await
                .page(lang)?
                .file_name;
            let result = outcome_view(received, file_name, false, &Choices::default(), lang);
            page(&st, &v, &who, &uri, Choices::default(), Some(result), None).await
        }
        Err(e @ (AppError::NotFound(_) | AppError::Conflict(_) | AppError::Invalid(_))) => {
            let m = e.message(lang.into());
            page(&st, &v, &who, &uri, Choices::default(), None, Some(m)).await
        }
        Err(e) => Err(PageError(e, lang)),
    }
}

/// Takes the multipart form: kind, optional certificate kind, the dry-run and legacy-code
/// boxes, and the file.
pub async fn upload(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let mut kind = None;
    let mut cert_kind = None;
    let mut dry_run = false;
    let mut legacy = false;
    let mut file: Option<(String, Vec<u8>)> = None;
    let bad = super::frame::unreadable_form(lang);
    while let Some(field) = form.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "kind" => kind = FileKind::parse(&field.text().await.map_err(bad)?),
            "cert_kind" => cert_kind = CertificateKind::parse(&field.text().await.map_err(bad)?),
            "dry_run" => dry_run = true,
            "accept_legacy_uscc" => legacy = true,
            "file" => {
                let name = field.file_name().unwrap_or_default().to_owned();
                file = Some((name, field.bytes().await.map_err(bad)?.to_vec()));
            }
            _ => {}
        }
    }
    let mut chosen = Choices {
        kind,
        cert_kind,
        dry_run,
        legacy,
    };
    let Some(kind) = kind else {
        chosen.dry_run = true;
        let m = lang.tr().import_choose_kind.to_owned();
        return page(&st, &v, &who, &uri, chosen, None, Some(m)).await;
    };
    let Some((file_name, bytes)) = file.filter(|(n, _)| !n.is_empty()) else {
        let m = lang.tr().import_choose_file.to_owned();
        return page(&st, &v, &who, &uri, chosen, None, Some(m)).await;
    };
    // A large file is imported in the background: the page that follows shows its progress
    // and, when it is done, its report.
    if bytes.len() >= BACKGROUND_BYTES {
        // One background import per officer at a time: a second large file would only wait
        // for the first while its bytes sit in memory.
        if st.imports.running_for(who.username()) {
            let m = lang.tr().import_one_at_a_time.to_owned();
            return page(&st, &v, &who, &uri, chosen, None, Some(m)).await;
        }
        let id = st.imports.start(
            &st,
            who.username(),
            who.actor(),
            chosen,
            file_name,
            bytes,
            kind,
        );
        return Ok(Redirect::to(&format!("/import/jobs/{id}")).into_response());
    }
    let received = imports::import_bytes(
        &st.store,
        &Upload {
            kind,
            file_name: &file_name,
            bytes: &bytes,
            dry_run,
            accept_legacy_uscc: legacy,
            default_kind: cert_kind,
            progress: None,
            bank: None,
            year: None,
        },
        &who.actor(),
        &st.spool,
    )
    .await;
    shown_outcome(&st, &v, &who, &uri, chosen, file_name, received).await
}

/// The page for an import's outcome: its report, or the refusal of the file as a whole.
async fn shown_outcome(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    chosen: Choices,
    file_name: String,
    received: Result<imports::Received, AppError>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let dry_run = chosen.dry_run;
    let received = match received {
        Ok(r) => r,
        Err(e @ AppError::Invalid(_)) => {
            return page(st, v, who, uri, chosen, None, Some(e.message(lang.into()))).await
        }
        Err(e) => return Err(PageError(e, lang)),
    };
    let result = outcome_view(received, file_name, dry_run, &chosen, lang);
    page(st, v, who, uri, chosen, Some(result), None).await
}

/// Files from this size on are imported in the background with a progress page; smaller ones
/// answer at once.
const BACKGROUND_BYTES: usize = 256 * 1024;
/// How long a finished background import's outcome waits for its page.
const JOB_KEPT: std::time::Duration = std::time::Duration::from_secs(3600);

struct Job {
    owner: String,
    file_name: String,
    chosen: Choices,
    progress: std::sync::Arc<imports::ImportProgress>,
    outcome: Option<(std::time::Instant, Result<imports::Received, AppError>)>,
}

/// Imports running in the background on this instance, by a random id, each visible to its
/// sender only. A deployment of several instances routes a session to one of them (sticky
/// sessions), as the progress page is answered by the instance that runs the import.
#[derive(Default)]
pub(crate) struct ImportJobs(std::sync::Mutex<std::collections::HashMap<String, Job>>);

impl ImportJobs {
    fn jobs(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, Job>> {
        // A panic while the lock was held leaves plain data behind, still usable.
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the officer has a background import still running.
    fn running_for(&self, owner: &str) -> bool {
        self.jobs()
            .values()
            .any(|j| j.owner == owner && j.outcome.is_none())
    }

    #[expect(clippy::too_many_arguments, reason = "one import's whole request")]
    fn start(
        &self,
        st: &AppState,
        owner: &str,
        actor: kechuang_store::Actor,
        chosen: Choices,
        file_name: String,
        bytes: Vec<u8>,
        kind: FileKind,
    ) -> String {
        let id = kechuang_service::auth::random_token();
        let progress = std::sync::Arc::new(imports::ImportProgress::default());
        {
            let mut jobs = self.jobs();
            jobs.retain(|_, j| {
                j.outcome
                    .as_ref()
                    .is_none_or(|(at, _)| at.elapsed() < JOB_KEPT)
            });
            jobs.insert(
                id.clone(),
                Job {
                    owner: owner.to_owned(),
                    file_name: file_name.clone(),
                    chosen,
                    progress: progress.clone(),
                    outcome: None,
                },
            );
        }
        let st = st.clone();
        let job = id.clone();
        tokio::spawn(async move {
            let received = imports::import_bytes(
                &st.store,
                &Upload {
                    kind,
                    file_name: &file_name,
                    bytes: &bytes,
                    dry_run: chosen.dry_run,
                    accept_legacy_uscc: chosen.legacy,
                    default_kind: chosen.cert_kind,
                    progress: Some(&progress),
                    bank: None,
                    year: None,
                },
                &actor,
                &st.spool,
            )
            .await;
            if let Some(j) = st.imports.jobs().get_mut(&job) {
                j.outcome = Some((std::time::Instant::now(), received));
            }
        });
        id
    }
}

#[derive(Template)]
#[template(path = "import_progress.html")]
struct ProgressPage {
    chrome: Chrome,
    file_name: String,
    read: u64,
    written: u64,
    total: u64,
    percent: Option<u32>,
    dry_run: bool,
}

/// A background import: its progress while it runs (the page reloads itself every second,
/// with no script), its report once it is done.
pub async fn job(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let missing = || {
        PageError(
            AppError::not_found(Absent::Download { name: id.clone() }),
            lang,
        )
    };
    let (file_name, chosen, snapshot, outcome) = {
        let mut jobs = st.imports.jobs();
        let j = jobs
            .get(&id)
            .filter(|j| j.owner == who.username())
            .ok_or_else(missing)?;
        let (file_name, chosen, snapshot) = (j.file_name.clone(), j.chosen, j.progress.snapshot());
        let outcome = if j.outcome.is_some() {
            jobs.remove(&id).and_then(|j| j.outcome).map(|(_, r)| r)
        } else {
            None
        };
        (file_name, chosen, snapshot, outcome)
    };
    if let Some(received) = outcome {
        return shown_outcome(&st, &v, &who, &uri, chosen, file_name, received).await;
    }
    let out = ProgressPage {
        chrome: Chrome::new(&v, "import", lang.tr().nav_import.into(), &uri, None),
        file_name,
        read: snapshot.read,
        written: snapshot.written,
        total: snapshot.total,
        percent: snapshot.percent(!chosen.dry_run),
        dry_run: chosen.dry_run,
    };
    render(&out, lang)
}

/// The validation report as XLSX: row, column, value, problem. Only its sender may fetch it.
pub async fn report(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(file): Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let id = file
        .strip_suffix(".xlsx")
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or_else(|| {
            PageError(
                AppError::not_found(Absent::Report { file: file.clone() }),
                lang,
            )
        })?;
    let r = st.store.report(id, who.username()).await.page(lang)?;
    let problems: Vec<kechuang_ingest::RowProblem> = r
        .problems
        .into_iter()
        .map(|p| kechuang_ingest::RowProblem {
            row: p.row,
            column: p.column,
            value: p.value,
            problem: p.problem,
        })
        .collect();
    sheet_download(
        &kechuang_ingest::export::report_table(&problems),
        SheetFormat::Xlsx,
        &format!("report-{id}.xlsx"),
        lang,
    )
}
