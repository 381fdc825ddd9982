//! The SME service platform's pages: the catalogue (`/services`) with requests, answers,
//! ratings and voucher payment; shared instruments (`/instruments`) with bookings. Public where
//! the content is public; each party sees its own requests and bookings below.

use super::{shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::problem::FieldProblem;
use kechuang_domain::services::{BookingStatus, ProviderKind, RequestStatus};
use kechuang_domain::voucher::VoucherStatus;
use kechuang_service::services::{
    self as service, BookingInput, InstrumentInput, OfferingInput, StepInput,
};
use kechuang_service::Saved;
use kechuang_store::{BookingRecord, RequestRecord};
use serde::Deserialize;

fn kind_name(code: &str, lang: Lang) -> &'static str {
    let k = ProviderKind::parse(code).unwrap_or(ProviderKind::Other);
    lang.pick(k.name_zh(), k.name_en())
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

struct OfferingRow {
    id: i64,
    kind: &'static str,
    provider: String,
    title: String,
    description: String,
    price: String,
    conditions: String,
    voucher: bool,
    completed: i64,
    rating: String,
}

struct RequestRow {
    id: i64,
    service: String,
    provider: String,
    client: String,
    county: String,
    note: String,
    status: &'static str,
    status_class: &'static str,
    response: String,
    amount: String,
    rating: String,
    paid: bool,
    /// Steps open to the viewer: the provider's answer, completion; the client's withdrawal,
    /// rating and voucher.
    can_answer: bool,
    can_complete: bool,
    can_cancel: bool,
    can_rate: bool,
    can_redeem: bool,
}

#[derive(Template)]
#[template(path = "services.html")]
struct ServicesPage {
    chrome: Chrome,
    csrf: String,
    enterprise: bool,
    offerings: Vec<OfferingRow>,
    mine: Vec<RequestRow>,
    incoming: Vec<RequestRow>,
    /// The caller's usable vouchers: (id, code and face value).
    vouchers: Vec<(i64, String)>,
    /// Who may add to the catalogue, and for which providers: (id, name).
    can_add: bool,
    providers: Vec<(i64, String)>,
    problems: Vec<(String, String)>,
    error: String,
    done: bool,
}

fn status_class(s: RequestStatus) -> &'static str {
    match s {
        RequestStatus::Requested => "no_data",
        RequestStatus::Accepted => "on_track",
        RequestStatus::Completed => "achieved",
        RequestStatus::Declined | RequestStatus::Cancelled => "plain",
    }
}

fn request_row(
    r: &RequestRecord,
    me: Option<&str>,
    tree: &kechuang_domain::region::RegionTree,
    lang: Lang,
) -> RequestRow {
    let client = me == Some(r.uscc.as_str());
    let provider = me == Some(r.provider_uscc.as_str());
    RequestRow {
        id: r.id,
        service: r.offering.clone(),
        provider: r.provider.clone(),
        client: r.name.clone(),
        county: super::region_name(tree, lang, &r.region_code),
        note: r.note.clone(),
        status: lang.pick(r.status.name_zh(), r.status.name_en()),
        status_class: status_class(r.status),
        response: r.response.clone(),
        amount: r
            .amount
            .map(|a| format!("{} 元", a.yuan_text()))
            .unwrap_or_default(),
        rating: r.rating.map(|n| format!("{n}/5")).unwrap_or_default(),
        paid: r.voucher_id.is_some(),
        can_answer: provider && r.status == RequestStatus::Requested,
        can_complete: provider && r.status == RequestStatus::Accepted,
        can_cancel: client
            && matches!(r.status, RequestStatus::Requested | RequestStatus::Accepted),
        can_rate: client && r.status == RequestStatus::Completed && r.rating.is_none(),
        can_redeem: client
            && r.status == RequestStatus::Completed
            && r.voucher_id.is_none()
            && r.voucher_eligible,
    }
}

type Refused = (Vec<(String, String)>, Option<AppError>);

async fn services_page(
    st: &AppState,
    v: &Viewer,
    who: Option<&Caller>,
    uri: &Uri,
    done: bool,
    (problems, error): Refused,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tree = st.store.region_tree().await.page(lang)?;
    let offerings = service::catalogue(&st.store)
        .await
        .page(lang)?
        .into_iter()
        .map(|o| OfferingRow {
            id: o.id,
            kind: kind_name(&o.provider_kind, lang),
            provider: o.provider,
            title: o.title,
            description: o.description,
            price: format!("{} 元/{}", o.price.yuan_text(), o.price_unit),
            conditions: o.conditions,
            voucher: o.voucher,
            completed: o.completed,
            rating: o.rating.map(|r| format!("{r:.1}")).unwrap_or_default(),
        })
        .collect();
    let me = who.and_then(|w| match w.scope() {
        DataScope::Enterprise(u) => Some(u.clone()),
        _ => None,
    });
    let (mut mine, mut incoming, mut vouchers) = (Vec::new(), Vec::new(), Vec::new());
    let mut can_add = false;
    let mut providers = Vec::new();
    if let Some(w) = who {
        for r in service::requests(&st.store, w).await.page(lang)? {
            let row = request_row(&r, me.as_deref(), &tree, lang);
            if me.as_deref() == Some(r.uscc.as_str()) {
                mine.push(row);
            } else {
                incoming.push(row);
            }
        }
        if let Some(u) = &me {
            let today = kechuang_service::clock::today_in_china();
            vouchers = st
                .store
                .vouchers(Some(u))
                .await
                .page(lang)?
                .into_iter()
                .filter(|x| {
                    x.status == VoucherStatus::Issued
                        && chrono::NaiveDate::parse_from_str(&x.expires_on, "%Y-%m-%d")
                            .is_ok_and(|d| d >= today)
                })
                .map(|x| (x.id, format!("{} · {} 元", x.code, x.face.yuan_text())))
                .collect();
        }
        let own = service::provider_of(&st.store, w).await.page(lang)?;
        if let Some(p) = own {
            can_add = true;
            providers.push((p.id, p.name));
        } else if w.role() == Role::Bureau {
            can_add = true;
            providers = st
                .store
                .providers()
                .await
                .page(lang)?
                .into_iter()
                .filter(|p| p.active)
                .map(|p| (p.id, p.name))
                .collect();
        }
    }
    let (error, status) = shown(error, lang);
    let page = ServicesPage {
        chrome: Chrome::new(v, "services", lang.tr().ss_title.into(), uri, None),
        csrf: who.map(|w| w.csrf().to_owned()).unwrap_or_default(),
        enterprise: who.is_some_and(|w| w.role() == Role::Enterprise),
        offerings,
        mine,
        incoming,
        vouchers,
        can_add,
        providers,
        problems,
        error,
        done,
    };
    super::render_form(&page, lang, status, &page.problems)
}

pub async fn services(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(d): Query<Done>,
) -> Result<Response, PageError> {
    let done = d.done.is_some();
    services_page(&st, &v, v.who.as_ref(), &uri, done, (Vec::new(), None)).await
}

#[derive(Deserialize)]
pub struct OfferingForm {
    #[serde(default)]
    provider: String,
    title: String,
    #[serde(default)]
    description: String,
    price: String,
    #[serde(default)]
    price_unit: String,
    #[serde(default)]
    conditions: String,
    voucher: Option<String>,
}

/// The bureau or a provider adds a service to the catalogue.
pub async fn add_offering(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<OfferingForm>,
) -> Result<Response, PageError> {
    let input = OfferingInput {
        provider: f.provider,
        title: f.title,
        description: f.description,
        price: f.price,
        price_unit: f.price_unit,
        conditions: f.conditions,
        voucher: f.voucher.is_some(),
    };
    match service::add_offering(&st.store, &who, &input).await {
        Ok((Saved::Done, _)) => Ok(Redirect::to("/services?done=1").into_response()),
        Ok((Saved::Refused(p), _)) => {
            let p = FieldProblem::worded(&p, v.lang.into());
            services_page(&st, &v, Some(&who), &uri, false, (p, None)).await
        }
        Err(e) => services_page(&st, &v, Some(&who), &uri, false, (Vec::new(), Some(e))).await,
    }
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    note: String,
}

/// An enterprise asks for a service.
pub async fn request(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<RequestForm>,
) -> Result<Response, PageError> {
    let applicant = who.as_applicant().page(v.lang)?;
    match service::request(&st.store, applicant, id, &f.note).await {
        Ok(_) => Ok(Redirect::to("/services?done=1#mine").into_response()),
        Err(e) => services_page(&st, &v, Some(&who), &uri, false, (Vec::new(), Some(e))).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RequestStepForm {
    response: String,
    amount: String,
    rating: String,
    note: String,
    voucher: String,
    invoice_no: String,
}

/// A step on a request: accept, decline, complete, cancel, rate or pay with a voucher.
pub async fn request_step(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<RequestStepForm>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let done = match action.as_str() {
        "rate" => service::rate(
            &st.store,
            who.as_applicant().page(lang)?,
            id,
            &f.rating,
            &f.note,
        )
        .await
        .map(|_| ()),
        "redeem" => {
            let voucher = f.voucher.trim().parse().unwrap_or(0);
            service::redeem(
                &st.store,
                who.as_applicant().page(lang)?,
                id,
                voucher,
                &f.invoice_no,
            )
            .await
            .map(|_| ())
        }
        _ => {
            let input = StepInput {
                response: f.response,
                amount: f.amount,
                hours: String::new(),
            };
            service::step_request(&st.store, &who, id, &action, &input)
                .await
                .map(|_| ())
        }
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/services?done=1#request-{id}")).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, lang)),
        Err(e) => services_page(&st, &v, Some(&who), &uri, false, (Vec::new(), Some(e))).await,
    }
}

// ---- instruments ----------------------------------------------------------------------------

struct InstrumentRow {
    id: i64,
    name: String,
    specs: String,
    owner: String,
    location: String,
    county: String,
    fee: String,
    hours_used: String,
}

struct BookingRow {
    id: i64,
    instrument: String,
    client: String,
    county: String,
    slot: String,
    purpose: String,
    status: &'static str,
    status_class: &'static str,
    response: String,
    used: String,
    hours: i64,
    can_decide: bool,
    can_record: bool,
    can_cancel: bool,
}

#[derive(Template)]
#[template(path = "instruments.html")]
struct InstrumentsPage {
    chrome: Chrome,
    csrf: String,
    enterprise: bool,
    bureau: bool,
    instruments: Vec<InstrumentRow>,
    mine: Vec<BookingRow>,
    incoming: Vec<BookingRow>,
    counties: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    error: String,
    done: bool,
    today: String,
}

fn booking_row(
    b: &BookingRecord,
    me: Option<&str>,
    tree: &kechuang_domain::region::RegionTree,
    lang: Lang,
) -> BookingRow {
    let client = me == Some(b.uscc.as_str());
    let owner = me == Some(b.owner_uscc.as_str());
    BookingRow {
        id: b.id,
        instrument: b.instrument.clone(),
        client: b.name.clone(),
        county: super::region_name(tree, lang, &b.region_code),
        slot: format!(
            "{} {:02}:00–{:02}:00",
            crate::format::day_text(&b.day, lang),
            b.start_hour,
            b.start_hour + b.hours
        ),
        purpose: b.purpose.clone(),
        status: lang.pick(b.status.name_zh(), b.status.name_en()),
        status_class: match b.status {
            BookingStatus::Requested => "no_data",
            BookingStatus::Approved => "on_track",
            BookingStatus::Used => "achieved",
            BookingStatus::Declined | BookingStatus::Cancelled => "plain",
        },
        response: b.response.clone(),
        used: b.used_hours.map(crate::format::number).unwrap_or_default(),
        hours: b.hours,
        can_decide: owner && b.status == BookingStatus::Requested,
        can_record: owner && b.status == BookingStatus::Approved,
        can_cancel: client
            && matches!(b.status, BookingStatus::Requested | BookingStatus::Approved),
    }
}

async fn instruments_page(
    st: &AppState,
    v: &Viewer,
    who: Option<&Caller>,
    uri: &Uri,
    done: bool,
    (problems, error): Refused,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tree = st.store.region_tree().await.page(lang)?;
    let instruments = service::instruments(&st.store)
        .await
        .page(lang)?
        .into_iter()
        .filter(|i| i.active)
        .map(|i| InstrumentRow {
            id: i.id,
            specs: [i.model.as_str(), i.specs.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("；"),
            name: i.name,
            owner: i.owner,
            location: i.location,
            county: super::region_name(&tree, lang, &i.region_code),
            fee: i.fee.yuan_text(),
            hours_used: crate::format::number(i.hours_used),
        })
        .collect();
    let me = who.and_then(|w| match w.scope() {
        DataScope::Enterprise(u) => Some(u.clone()),
        _ => None,
    });
    let (mut mine, mut incoming) = (Vec::new(), Vec::new());
    if let Some(w) = who {
        for b in service::bookings(&st.store, w).await.page(lang)? {
            let row = booking_row(&b, me.as_deref(), &tree, lang);
            if me.as_deref() == Some(b.uscc.as_str()) {
                mine.push(row);
            } else {
                incoming.push(row);
            }
        }
    }
    let counties = super::counties(&tree, lang);
    let (error, status) = shown(error, lang);
    let page = InstrumentsPage {
        chrome: Chrome::new(v, "instruments", lang.tr().in_title.into(), uri, None),
        csrf: who.map(|w| w.csrf().to_owned()).unwrap_or_default(),
        enterprise: who.is_some_and(|w| w.role() == Role::Enterprise),
        bureau: who.is_some_and(|w| w.role() == Role::Bureau),
        instruments,
        mine,
        incoming,
        counties,
        problems,
        error,
        done,
        today: kechuang_service::clock::today_in_china().to_string(),
    };
    super::render_form(&page, lang, status, &page.problems)
}

pub async fn instruments(
    State(st): State<AppState>,
    v: Viewer,
    uri: Uri,
    Query(d): Query<Done>,
) -> Result<Response, PageError> {
    let done = d.done.is_some();
    instruments_page(&st, &v, v.who.as_ref(), &uri, done, (Vec::new(), None)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct InstrumentForm {
    name: String,
    model: String,
    specs: String,
    owner: String,
    owner_uscc: String,
    location: String,
    region: String,
    fee: String,
}

/// The bureau registers a shared instrument.
pub async fn add_instrument(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<InstrumentForm>,
) -> Result<Response, PageError> {
    let bureau = who.as_bureau().page(v.lang)?;
    let input = InstrumentInput {
        name: f.name,
        model: f.model,
        specs: f.specs,
        owner: f.owner,
        owner_uscc: f.owner_uscc,
        location: f.location,
        region: f.region,
        fee: f.fee,
    };
    match service::add_instrument(&st.store, bureau, &input).await {
        Ok((Saved::Done, _)) => Ok(Redirect::to("/instruments?done=1").into_response()),
        Ok((Saved::Refused(p), _)) => {
            let p = FieldProblem::worded(&p, v.lang.into());
            instruments_page(&st, &v, Some(&who), &uri, false, (p, None)).await
        }
        Err(e) => instruments_page(&st, &v, Some(&who), &uri, false, (Vec::new(), Some(e))).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookingForm {
    day: String,
    start_hour: String,
    hours: String,
    purpose: String,
}

/// An enterprise books hours on an instrument.
pub async fn book(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<BookingForm>,
) -> Result<Response, PageError> {
    let applicant = who.as_applicant().page(v.lang)?;
    let input = BookingInput {
        day: f.day,
        start_hour: f.start_hour,
        hours: f.hours,
        purpose: f.purpose,
    };
    match service::book(&st.store, applicant, id, &input).await {
        Ok((Saved::Done, _)) => Ok(Redirect::to("/instruments?done=1#mine").into_response()),
        Ok((Saved::Refused(p), _)) => {
            let p = FieldProblem::worded(&p, v.lang.into());
            instruments_page(&st, &v, Some(&who), &uri, false, (p, None)).await
        }
        Err(e) => instruments_page(&st, &v, Some(&who), &uri, false, (Vec::new(), Some(e))).await,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BookingStepForm {
    response: String,
    hours: String,
}

/// A step on a booking: approve, decline, record_use or cancel.
pub async fn booking_step(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<BookingStepForm>,
) -> Result<Response, PageError> {
    let input = StepInput {
        response: f.response,
        amount: String::new(),
        hours: f.hours,
    };
    match service::step_booking(&st.store, &who, id, &action, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/instruments?done=1#booking-{id}")).into_response()),
        Err(e @ AppError::NotFound(_)) => Err(PageError(e, v.lang)),
        Err(e) => instruments_page(&st, &v, Some(&who), &uri, false, (Vec::new(), Some(e))).await,
    }
}
