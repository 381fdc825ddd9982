//! Event pages: the public list with the yearly record, an event with its registration form,
//! and for the bureau the editor, the registrations with check-in, and the outcome.

use super::{render, shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::{Caller, Client};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::markup;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use kechuang_domain::auth::Role;
use kechuang_domain::event::{EventKind, EventStatus, Seat};
use kechuang_domain::problem::FieldProblem;
use kechuang_service::events::{self as service, EventInput, Registrant};
use kechuang_store::EventRecord;
use serde::Deserialize;

fn kind_name(k: EventKind, lang: Lang) -> &'static str {
    if lang.is_en() {
        k.name_en()
    } else {
        k.name_zh()
    }
}

fn status_name(s: EventStatus, lang: Lang) -> &'static str {
    if lang.is_en() {
        s.name_en()
    } else {
        s.name_zh()
    }
}

fn seat_name(s: Seat, lang: Lang) -> &'static str {
    if lang.is_en() {
        s.name_en()
    } else {
        s.name_zh()
    }
}

pub(crate) struct EventLine {
    pub(crate) id: i64,
    pub(crate) title: String,
    pub(crate) kind: &'static str,
    pub(crate) dates: String,
    pub(crate) place: String,
    pub(crate) status: &'static str,
    pub(crate) status_code: &'static str,
    pub(crate) seats: String,
}

fn dates(e: &EventRecord) -> String {
    if e.starts_on == e.ends_on {
        e.starts_on.clone()
    } else {
        format!("{} — {}", e.starts_on, e.ends_on)
    }
}

pub(crate) fn line(e: &EventRecord, lang: Lang) -> EventLine {
    EventLine {
        id: e.id,
        title: e.title.clone(),
        kind: kind_name(e.kind, lang),
        dates: dates(e),
        place: e.place.clone(),
        status: status_name(e.status, lang),
        status_code: e.status.as_str(),
        seats: if e.capacity == 0 {
            format!("{}", e.registered)
        } else {
            format!("{} / {}", e.registered, e.capacity)
        },
    }
}

#[derive(Template)]
#[template(path = "events.html")]
struct EventsPage {
    chrome: Chrome,
    upcoming: Vec<EventLine>,
    past: Vec<EventLine>,
    /// Kinds as columns, then a row per year: (year, counts by kind).
    kinds: Vec<&'static str>,
    years: Vec<(i32, Vec<usize>)>,
    bureau: bool,
}

/// `/events`: what is coming, what was held, and the yearly record by kind.
pub async fn list(State(st): State<AppState>, v: Viewer, uri: Uri) -> Result<Response, PageError> {
    let lang = v.lang;
    let today = crate::format::today_in_china();
    let all = service::list(&st.store).await.page(lang)?;
    let day = today.to_string();
    let (upcoming, past): (Vec<&EventRecord>, Vec<&EventRecord>) = all
        .iter()
        .partition(|e| e.status == EventStatus::Planned && e.ends_on >= day);
    let plan = st.store.plans().await.page(lang)?;
    let (from, to) = plan
        .iter()
        .map(|p| (p.start_year, p.end_year))
        .fold(None, |acc: Option<(i32, i32)>, (s, e)| {
            Some(acc.map_or((s, e), |(a, b)| (a.min(s), b.max(e))))
        })
        .unwrap_or((
            chrono::Datelike::year(&today),
            chrono::Datelike::year(&today),
        ));
    let to = to.max(chrono::Datelike::year(&today));
    let held = service::yearly(&st.store, (from, to)).await.page(lang)?;
    let page = EventsPage {
        chrome: Chrome::new(&v, "events", lang.tr().ev_title.into(), &uri, None),
        upcoming: upcoming.iter().rev().map(|e| line(e, lang)).collect(),
        past: past.iter().map(|e| line(e, lang)).collect(),
        kinds: EventKind::ALL.iter().map(|k| kind_name(*k, lang)).collect(),
        years: (from..=to)
            .rev()
            .map(|y| {
                (
                    y,
                    EventKind::ALL
                        .iter()
                        .map(|k| held.get(&(*k, y)).copied().unwrap_or(0))
                        .collect(),
                )
            })
            .collect(),
        bureau: v.who.as_ref().is_some_and(|w| w.role() == Role::Bureau),
    };
    render(&page, lang)
}

struct RegRow {
    id: i64,
    attendee: String,
    organisation: String,
    phone: String,
    seat: &'static str,
    seat_code: &'static str,
    checked_in: String,
}

#[derive(Template)]
#[template(path = "event.html")]
struct EventPage {
    chrome: Chrome,
    csrf: String,
    e: EventLine,
    summary: String,
    agenda_html: String,
    speakers: Vec<String>,
    county: String,
    organisers: String,
    registered: i64,
    waitlisted: i64,
    checked_in: i64,
    capacity: u32,
    held: bool,
    planned: bool,
    projects: i64,
    agreements: i64,
    outcome: String,
    /// Registration is open today.
    open: bool,
    closes: String,
    /// Who is looking: an enterprise (with its own seat), the bureau (with the list).
    enterprise: bool,
    own: Option<(i64, &'static str)>,
    bureau: bool,
    registrations: Vec<RegRow>,
    error: String,
    done: String,
    typed: RegisterForm,
}

#[derive(Deserialize, Default)]
pub struct EventQuery {
    #[serde(default)]
    done: String,
}

async fn event_page(
    st: &AppState,
    v: &Viewer,
    uri: &Uri,
    id: i64,
    error: Option<AppError>,
    done: &str,
    typed: RegisterForm,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let e = service::event(&st.store, id).await.page(lang)?;
    let today = crate::format::today_in_china();
    let who = v.who.as_deref();
    let bureau = who.is_some_and(|w| w.role() == Role::Bureau);
    let own = match who {
        Some(w) => service::own_registration(&st.store, w, id)
            .await
            .page(lang)?
            .map(|r| (r.id, seat_name(r.seat, lang))),
        None => None,
    };
    let registrations = match who.map(|w| w.as_bureau()) {
        Some(Ok(b)) => service::registrations(&st.store, b, id)
            .await
            .page(lang)?
            .into_iter()
            .map(|r| RegRow {
                id: r.id,
                attendee: r.attendee,
                organisation: r.organisation,
                phone: r.phone,
                seat: seat_name(r.seat, lang),
                seat_code: r.seat.as_str(),
                checked_in: r
                    .checked_in_at
                    .as_deref()
                    .map(crate::format::local_time)
                    .unwrap_or_default(),
            })
            .collect(),
        _ => Vec::new(),
    };
    let units = st.store.units().await.page(lang)?;
    let tree = st.store.region_tree().await.page(lang)?;
    let starts = chrono::NaiveDate::parse_from_str(&e.starts_on, "%Y-%m-%d").ok();
    let open = starts.is_some_and(|s| {
        kechuang_domain::event::registration_open(
            e.status,
            s,
            e.registration_closes
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
            today,
        )
        .is_ok()
    });
    let (error, status) = shown(error, lang);
    let page = EventPage {
        chrome: Chrome::new(v, "events", e.title.clone(), uri, None),
        csrf: who.map(|w| w.csrf().to_owned()).unwrap_or_default(),
        e: line(&e, lang),
        summary: e.summary.clone(),
        agenda_html: markup::render(&e.agenda),
        speakers: e
            .speakers
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        county: e
            .region_code
            .as_deref()
            .map(|c| super::county_name(&tree, c))
            .unwrap_or_default(),
        organisers: kechuang_service::supervision::units_label(&units, &e.organisers),
        registered: e.registered,
        waitlisted: e.waitlisted,
        checked_in: e.checked_in,
        capacity: e.capacity,
        held: e.status == EventStatus::Held,
        planned: e.status == EventStatus::Planned,
        projects: e.projects_matched,
        agreements: e.agreements_signed,
        outcome: e.outcome.clone(),
        open,
        closes: e.registration_closes.clone().unwrap_or_else(|| {
            starts
                .map(|s| (s - chrono::Duration::days(1)).to_string())
                .unwrap_or_default()
        }),
        enterprise: who.is_some_and(|w| w.role() == Role::Enterprise),
        own,
        bureau,
        registrations,
        error,
        done: done.to_owned(),
        typed,
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

/// `/events/{id}`.
pub async fn event(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Path(id): Path<i64>,
    Query(q): Query<EventQuery>,
) -> Result<Response, PageError> {
    event_page(&st, &v, &uri, id, None, &q.done, RegisterForm::default()).await
}

#[derive(Deserialize, Default)]
pub struct RegisterForm {
    #[serde(default)]
    attendee: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    phone: String,
}

/// `POST /events/{id}/registrations`: an enterprise's account for its enterprise, anyone else
/// as a person. No session is needed for a person, so there is nothing for a forged request
/// to borrow; the fields are bounded.
pub async fn register(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Extension(Client(client)): Extension<Client>,
    Path(id): Path<i64>,
    Form(f): Form<RegisterForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let today = crate::format::today_in_china();
    let who = match v.who.as_deref() {
        Some(w) if w.role() == Role::Enterprise => {
            Registrant::Enterprise(w.as_applicant().page(lang)?)
        }
        _ => Registrant::Person { client: &client },
    };
    match service::register(
        &st.store,
        who,
        id,
        (&f.attendee, &f.organisation, &f.phone),
        today,
    )
    .await
    {
        Ok((_, seat)) => Ok(
            Redirect::to(&format!("/events/{id}?done={}#register", seat.as_str())).into_response(),
        ),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => event_page(&st, &v, &uri, id, Some(e), "", f).await,
    }
}

/// `POST /events/{id}/registrations/{reg}/{action}`: cancel (the bureau, or the enterprise
/// its own) or check in (the bureau).
pub async fn registration_step(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((id, reg, action)): Path<(i64, i64, String)>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let today = crate::format::today_in_china();
    let done = match action.as_str() {
        "cancel" => service::cancel(&st.store, &who, reg).await.map(|_| ()),
        "check-in" => match who.as_bureau() {
            Ok(b) => service::attend(&st.store, b, reg, today).await,
            Err(e) => Err(e),
        },
        _ => Err(AppError::not_found(kechuang_service::Missing::Page {
            path: uri.path().to_owned(),
        })),
    };
    match done {
        Ok(()) => {
            Ok(Redirect::to(&format!("/events/{id}?done={action}#registrations")).into_response())
        }
        Err(e @ (AppError::NotFound(_) | AppError::Forbidden(_))) => Err(PageError(e, lang)),
        Err(e) => event_page(&st, &v, &uri, id, Some(e), "", RegisterForm::default()).await,
    }
}

#[derive(Deserialize, Default)]
pub struct OutcomeForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    projects: String,
    #[serde(default)]
    agreements: String,
    #[serde(default)]
    outcome: String,
}

/// `POST /events/{id}/outcome`: held, with what it led to, or cancelled.
pub async fn outcome(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<OutcomeForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let today = crate::format::today_in_china();
    match service::close(
        &st.store,
        bureau,
        id,
        f.decision != "cancel",
        (&f.projects, &f.agreements, &f.outcome),
        today,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/events/{id}?done=outcome")).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => event_page(&st, &v, &uri, id, Some(e), "", RegisterForm::default()).await,
    }
}

#[derive(Template)]
#[template(path = "event_edit.html")]
struct EditPage {
    chrome: Chrome,
    csrf: String,
    id: Option<i64>,
    input: EventInput,
    kinds: Vec<(&'static str, &'static str)>,
    counties: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    error: String,
}

impl EditPage {
    fn problem(&self, field: &str) -> String {
        super::field_problem(&self.problems, field)
    }
}

/// What the editor shows again after a refused save: the input and why.
type Refused = (Option<EventInput>, Vec<(String, String)>, Option<AppError>);

async fn edit_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    id: Option<i64>,
    (typed, problems, error): Refused,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let input = match (typed, id) {
        (Some(t), _) => t,
        (None, Some(id)) => EventInput::of(&service::event(&st.store, id).await.page(lang)?),
        (None, None) => EventInput {
            kind: "forum".into(),
            capacity: "0".into(),
            organisers: "市科技局".into(),
            ..EventInput::default()
        },
    };
    let plan_region = st
        .store
        .plans()
        .await
        .page(lang)?
        .first()
        .map(|p| p.region_code.clone())
        .unwrap_or_default();
    let tree = st.store.region_tree().await.page(lang)?;
    let counties = kechuang_domain::RegionCode::parse(&plan_region)
        .map(|c| {
            tree.children(&c)
                .map(|r| (r.code.to_string(), r.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    let (error, status) = shown(error, lang);
    let page = EditPage {
        chrome: Chrome::new(
            v,
            "events",
            if id.is_some() {
                input.title.clone()
            } else {
                lang.tr().ev_new.into()
            },
            uri,
            None,
        ),
        csrf: who.csrf().to_owned(),
        id,
        kinds: EventKind::ALL
            .iter()
            .map(|k| (k.as_str(), kind_name(*k, lang)))
            .collect(),
        counties,
        input,
        problems,
        error,
    };
    super::render_form(&page, lang, status, &page.problems)
}

pub async fn new_form(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    who.as_bureau().page(v.lang)?;
    edit_page(&st, &v, &who, &uri, None, (None, Vec::new(), None)).await
}

pub async fn edit_form(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    who.as_bureau().page(v.lang)?;
    edit_page(&st, &v, &who, &uri, Some(id), (None, Vec::new(), None)).await
}

#[derive(Deserialize, Default)]
pub struct EventForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    speakers: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    registration_closes: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    organisers: String,
}

impl From<EventForm> for EventInput {
    fn from(f: EventForm) -> Self {
        Self {
            kind: f.kind,
            title: f.title,
            summary: f.summary,
            agenda: f.agenda,
            speakers: f.speakers,
            place: f.place,
            region: f.region,
            starts_on: f.starts_on,
            ends_on: f.ends_on,
            registration_closes: f.registration_closes,
            capacity: f.capacity,
            organisers: f.organisers,
        }
    }
}

async fn save(
    st: AppState,
    v: Viewer,
    who: Caller,
    uri: Uri,
    id: Option<i64>,
    f: EventForm,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let bureau = who.as_bureau().page(lang)?;
    let input: EventInput = f.into();
    match service::put(&st.store, bureau, id, &input).await {
        Ok((kechuang_service::Saved::Done, Some(id))) => {
            Ok(Redirect::to(&format!("/events/{id}?done=saved")).into_response())
        }
        Ok((kechuang_service::Saved::Refused(p), _)) => {
            let p = FieldProblem::worded(&p, lang.into());
            edit_page(&st, &v, &who, &uri, id, (Some(input), p, None)).await
        }
        Ok(_) => Err(PageError(AppError::internal("saved without an id"), lang)),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => edit_page(&st, &v, &who, &uri, id, (Some(input), Vec::new(), Some(e))).await,
    }
}

pub async fn create(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<EventForm>,
) -> Result<Response, PageError> {
    save(st, v, who, uri, None, f).await
}

pub async fn update(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<EventForm>,
) -> Result<Response, PageError> {
    save(st, v, who, uri, Some(id), f).await
}
