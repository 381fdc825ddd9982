//! The SME service platform (中小企业公共服务平台, plan §三(一)1, §三(三)8): providers'
//! catalogue of services, requests from enterprises answered and completed by the provider and
//! rated by the enterprise, innovation vouchers redeemed against a completed service; shared
//! large instruments (仪器共享) booked by the hour, approved by their owner, with the hours
//! used. A provider or an instrument's owner acts through an enterprise account carrying its
//! credit code; the bureau keeps the catalogue and the instrument list.

use crate::auth::{AsApplicant, AsBureau, Principal};
use crate::clock::today_in_china;
use crate::{Error, Saved};
use kechuang_domain::auth::DataScope;
use kechuang_domain::money::Fen;
use kechuang_domain::problem::FieldProblem;
use kechuang_domain::services::{
    check_slot, BookingAction, BookingStatus, Party, RequestAction, RequestStatus, ServiceProblem,
};
use kechuang_domain::text::fields;
use kechuang_store::{
    BookingRecord, InstrumentRecord, NewInstrument, NewOffering, OfferingRecord, ProviderRecord,
    RequestRecord, ServiceCounts, Store, StoreError,
};

/// The provider an account acts for: the one registered with the account's credit code.
pub async fn provider_of(store: &Store, who: &Principal) -> Result<Option<ProviderRecord>, Error> {
    let DataScope::Enterprise(u) = who.scope() else {
        return Ok(None);
    };
    Ok(store.providers().await?.into_iter().find(|p| p.uscc == *u))
}

/// A catalogue entry as typed.
#[derive(Debug, Clone, Default)]
pub struct OfferingInput {
    /// The provider's id (the bureau names it; a provider's own account adds to its own).
    pub provider: String,
    pub title: String,
    pub description: String,
    /// 500, 500元, 0.5万元.
    pub price: String,
    pub price_unit: String,
    pub conditions: String,
    pub voucher: bool,
}

fn required(problems: &mut Vec<FieldProblem>, key: &str, value: &str, zh: &str) {
    if value.trim().is_empty() {
        problems.push(FieldProblem::new(
            key,
            ServiceProblem::Required {
                field: zh.to_owned(),
            },
        ));
    }
}

/// Adds a service to the catalogue: the bureau for any provider, a provider for itself.
pub async fn add_offering(
    store: &Store,
    who: &Principal,
    input: &OfferingInput,
) -> Result<(Saved, Option<i64>), Error> {
    crate::within_limits(&[
        (&fields::CALL_TITLE, input.title.as_str()),
        (&fields::DESCRIPTION, input.description.as_str()),
        (&fields::DESCRIPTION, input.conditions.as_str()),
        (&fields::INVOICE_NO, input.price_unit.as_str()),
    ])?;
    let own = provider_of(store, who).await?;
    // An enterprise account adds only as the provider it is; the bureau names the provider.
    let not_provider =
        || Error::invalid(FieldProblem::new("provider", ServiceProblem::NotProvider));
    let provider = match &own {
        Some(p) => p.id,
        None if who.as_bureau().is_ok() => input
            .provider
            .trim()
            .parse()
            .ok()
            .filter(|id| *id > 0)
            .ok_or_else(not_provider)?,
        None => return Err(not_provider()),
    };
    if !store.providers().await?.iter().any(|p| p.id == provider) {
        return Err(Error::invalid(FieldProblem::new(
            "provider",
            ServiceProblem::NotProvider,
        )));
    }
    let mut problems = Vec::new();
    required(&mut problems, "title", &input.title, "服务名称");
    let price = match Fen::parse(&input.price) {
        Ok(f) => Some(f),
        Err(e) => {
            problems.push(FieldProblem::new("price", e));
            None
        }
    };
    let Some(price) = price.filter(|_| problems.is_empty()) else {
        return Ok((Saved::Refused(problems), None));
    };
    let unit = input.price_unit.trim();
    let o = NewOffering {
        provider_id: provider,
        title: input.title.trim().to_owned(),
        description: input.description.trim().to_owned(),
        price,
        price_unit: if unit.is_empty() {
            "项".into()
        } else {
            unit.to_owned()
        },
        conditions: input.conditions.trim().to_owned(),
        voucher: input.voucher,
    };
    Ok((
        Saved::Done,
        Some(store.add_offering(&o, &who.actor()).await?),
    ))
}

/// The public catalogue: active services of active providers.
pub async fn catalogue(store: &Store) -> Result<Vec<OfferingRecord>, Error> {
    Ok(store.offerings(false).await?)
}

/// An enterprise asks for a catalogue service.
pub async fn request(
    store: &Store,
    who: AsApplicant<'_>,
    offering: i64,
    note: &str,
) -> Result<i64, Error> {
    crate::within_limits(&[(&fields::NOTE, note)])?;
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Err(Error::forbidden(crate::auth::RoleRequired::Applicant));
    };
    let o = store.offering(offering).await?;
    if !o.active {
        return Err(Error::conflict(ServiceProblem::Inactive));
    }
    Ok(store
        .request_service(offering, uscc, note.trim(), &who.actor())
        .await?)
}

/// Requests the caller may see: an enterprise those it sent and, when it is a provider, those
/// sent to it; officers those from enterprises in their region.
pub async fn requests(store: &Store, who: &Principal) -> Result<Vec<RequestRecord>, Error> {
    Ok(match seen_by(store, who).await? {
        Seen::Party(u) => {
            let mut all = store.service_requests(Some(&u), None, None).await?;
            let to_them = store.service_requests(None, Some(&u), None).await?;
            all.extend(to_them.into_iter().filter(|r| r.uscc != u));
            all
        }
        Seen::Regions(rs) => store.service_requests(None, None, Some(&rs)).await?,
        Seen::Nothing => Vec::new(),
    })
}

/// What of the requests and bookings a caller sees: an enterprise those where it is a party
/// (client, provider or owner), officers those of enterprises in their region.
enum Seen {
    Party(String),
    Regions(Vec<String>),
    Nothing,
}

async fn seen_by(store: &Store, who: &Principal) -> Result<Seen, Error> {
    Ok(match who.scope() {
        DataScope::Enterprise(u) => Seen::Party(u.clone()),
        DataScope::Region(_) => {
            let tree = store.region_tree().await?;
            Seen::Regions(who.regions(&tree)?.iter().map(|r| r.to_string()).collect())
        }
        _ => Seen::Nothing,
    })
}

/// Which side of a request or booking the caller is on, if any.
fn party(who: &Principal, client: &str, provider: &str) -> Option<Party> {
    match who.scope() {
        DataScope::Enterprise(u) if u == client => Some(Party::Client),
        DataScope::Enterprise(u) if u == provider => Some(Party::Provider),
        _ => None,
    }
}

/// What comes with a step: the provider's response, the amount charged on completion, the
/// hours used on a booking.
#[derive(Debug, Clone, Default)]
pub struct StepInput {
    pub response: String,
    pub amount: String,
    pub hours: String,
}

/// A step on a request by the enterprise that sent it or the provider it was sent to.
pub async fn step_request(
    store: &Store,
    who: &Principal,
    id: i64,
    action: &str,
    input: &StepInput,
) -> Result<RequestStatus, Error> {
    crate::within_limits(&[(&fields::COMMENT, input.response.as_str())])?;
    let r = store.service_request(id).await?;
    let by = party(who, &r.uscc, &r.provider_uscc).ok_or_else(|| {
        Error::from(StoreError::NotFound(
            kechuang_store::Absent::ServiceRequest { id },
        ))
    })?;
    let action = RequestAction::parse(action).ok_or_else(|| {
        Error::invalid(ServiceProblem::Unknown {
            action: action.to_owned(),
        })
    })?;
    let amount = match (action, input.amount.trim()) {
        // The catalogue price when the provider names none.
        (RequestAction::Complete, "") => Some(store.offering(r.offering_id).await?.price),
        (RequestAction::Complete, raw) => {
            Some(Fen::parse(raw).map_err(|e| Error::invalid(FieldProblem::new("amount", e)))?)
        }
        _ => None,
    };
    Ok(store
        .step_request(
            id,
            (action, by),
            (input.response.trim(), amount),
            &who.actor(),
        )
        .await?)
}

/// The enterprise rates a completed service, 1 to 5, once.
pub async fn rate(
    store: &Store,
    who: AsApplicant<'_>,
    id: i64,
    rating: &str,
    note: &str,
) -> Result<(), Error> {
    crate::within_limits(&[(&fields::NOTE, note)])?;
    let r = store.service_request(id).await?;
    if party(&who, &r.uscc, "") != Some(Party::Client) {
        return Err(StoreError::NotFound(kechuang_store::Absent::ServiceRequest { id }).into());
    }
    let rating: u8 = rating
        .trim()
        .parse()
        .ok()
        .filter(|n| (1..=5).contains(n))
        .ok_or_else(|| Error::invalid(FieldProblem::new("rating", ServiceProblem::Rating)))?;
    Ok(store
        .rate_request(id, rating, note.trim(), &who.actor())
        .await?)
}

/// The enterprise pays for a completed service with one of its vouchers: the provider and the
/// amount come from the request, the invoice number from the enterprise. Answers the subsidy.
pub async fn redeem(
    store: &Store,
    who: AsApplicant<'_>,
    id: i64,
    voucher: i64,
    invoice_no: &str,
) -> Result<Fen, Error> {
    let r = store.service_request(id).await?;
    if party(&who, &r.uscc, "") != Some(Party::Client) {
        return Err(StoreError::NotFound(kechuang_store::Absent::ServiceRequest { id }).into());
    }
    if r.status != RequestStatus::Completed || r.voucher_id.is_some() || !r.voucher_eligible {
        return Err(Error::conflict(ServiceProblem::VoucherNotForService));
    }
    let amount = r
        .amount
        .ok_or_else(|| Error::conflict(ServiceProblem::VoucherNotForService))?;
    let input = crate::vouchers::RedeemInput {
        provider_id: r.provider_id,
        contract_no: &format!("服务申请 {id}"),
        invoice_no,
        invoice_amount: &format!("{}元", amount.yuan_text()),
        service_request: Some(id),
    };
    crate::vouchers::redeem(store, &who, voucher, &input).await
}

/// An instrument as the bureau registers it.
#[derive(Debug, Clone, Default)]
pub struct InstrumentInput {
    pub name: String,
    pub model: String,
    pub specs: String,
    pub owner: String,
    pub owner_uscc: String,
    pub location: String,
    /// A county's code.
    pub region: String,
    /// Per hour: 200, 200元.
    pub fee: String,
}

/// The bureau registers a shared instrument and the unit that owns it.
pub async fn add_instrument(
    store: &Store,
    who: AsBureau<'_>,
    input: &InstrumentInput,
) -> Result<(Saved, Option<i64>), Error> {
    crate::within_limits(&[
        (&fields::CALL_TITLE, input.name.as_str()),
        (&fields::CALL_TITLE, input.model.as_str()),
        (&fields::DESCRIPTION, input.specs.as_str()),
        (&fields::ORGANISATION, input.owner.as_str()),
        (&fields::ORGANISATION, input.location.as_str()),
    ])?;
    let mut problems = Vec::new();
    required(&mut problems, "name", &input.name, "仪器名称");
    required(&mut problems, "owner", &input.owner, "所有单位");
    required(&mut problems, "location", &input.location, "放置地点");
    let owner_uscc = match kechuang_domain::uscc::Uscc::parse(&input.owner_uscc) {
        Ok(u) => Some(u.to_string()),
        Err(e) => {
            problems.push(FieldProblem::new("owner_uscc", e));
            None
        }
    };
    let tree = store.region_tree().await?;
    let region = crate::offsite::county_of(&tree, &input.region);
    if region.is_none() {
        problems.push(FieldProblem::new(
            "region",
            kechuang_domain::offsite::SiteProblem::NotACounty {
                code: input.region.trim().to_owned(),
            },
        ));
    }
    let fee = match Fen::parse(&input.fee) {
        Ok(f) => Some(f),
        Err(e) => {
            problems.push(FieldProblem::new("fee", e));
            None
        }
    };
    let (Some(owner_uscc), Some(region), Some(fee)) = (owner_uscc, region, fee) else {
        return Ok((Saved::Refused(problems), None));
    };
    if !problems.is_empty() {
        return Ok((Saved::Refused(problems), None));
    }
    let i = NewInstrument {
        name: input.name.trim().to_owned(),
        model: input.model.trim().to_owned(),
        specs: input.specs.trim().to_owned(),
        owner: input.owner.trim().to_owned(),
        owner_uscc,
        location: input.location.trim().to_owned(),
        region_code: region.to_string(),
        fee,
    };
    Ok((
        Saved::Done,
        Some(store.add_instrument(&i, &who.actor()).await?),
    ))
}

pub async fn instruments(store: &Store) -> Result<Vec<InstrumentRecord>, Error> {
    Ok(store.instruments().await?)
}

/// A booking as the enterprise types it.
#[derive(Debug, Clone, Default)]
pub struct BookingInput {
    pub day: String,
    pub start_hour: String,
    pub hours: String,
    pub purpose: String,
}

/// An enterprise asks for hours on an instrument, on a day to come.
pub async fn book(
    store: &Store,
    who: AsApplicant<'_>,
    instrument: i64,
    input: &BookingInput,
) -> Result<(Saved, Option<i64>), Error> {
    crate::within_limits(&[(&fields::NOTE, input.purpose.as_str())])?;
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Err(Error::forbidden(crate::auth::RoleRequired::Applicant));
    };
    let i = store.instrument(instrument).await?;
    if !i.active {
        return Err(Error::conflict(ServiceProblem::Inactive));
    }
    let mut problems = Vec::new();
    required(&mut problems, "purpose", &input.purpose, "用途");
    let day = match kechuang_domain::text::written_date(&input.day) {
        Some(d) if d >= today_in_china() => Some(d),
        Some(_) => {
            problems.push(FieldProblem::new("day", ServiceProblem::Past));
            None
        }
        None => {
            problems.push(FieldProblem::new(
                "day",
                crate::clock::DateProblem::NotADate {
                    field: "day",
                    raw: input.day.clone(),
                },
            ));
            None
        }
    };
    let start: Option<u32> = input.start_hour.trim().parse().ok();
    let hours: Option<u32> = input.hours.trim().parse().ok();
    let slot = match (start, hours) {
        (Some(s), Some(h)) if check_slot(s, h).is_ok() => Some((s, h)),
        _ => {
            problems.push(FieldProblem::new("hours", ServiceProblem::Hours));
            None
        }
    };
    let (Some(day), Some((start, hours))) = (day, slot) else {
        return Ok((Saved::Refused(problems), None));
    };
    if !problems.is_empty() {
        return Ok((Saved::Refused(problems), None));
    }
    Ok((
        Saved::Done,
        Some(
            store
                .book_instrument(
                    instrument,
                    uscc,
                    (day, start, hours),
                    input.purpose.trim(),
                    &who.actor(),
                )
                .await?,
        ),
    ))
}

/// Bookings the caller may see: an enterprise its own and those of instruments it owns;
/// officers those from enterprises in their region.
pub async fn bookings(store: &Store, who: &Principal) -> Result<Vec<BookingRecord>, Error> {
    Ok(match seen_by(store, who).await? {
        Seen::Party(u) => {
            let mut all = store.bookings(Some(&u), None, None).await?;
            let of_theirs = store.bookings(None, Some(&u), None).await?;
            all.extend(of_theirs.into_iter().filter(|b| b.uscc != u));
            all
        }
        Seen::Regions(rs) => store.bookings(None, None, Some(&rs)).await?,
        Seen::Nothing => Vec::new(),
    })
}

/// A step on a booking by the enterprise that made it or the instrument's owner; recording the
/// use takes the hours used, at most those booked.
pub async fn step_booking(
    store: &Store,
    who: &Principal,
    id: i64,
    action: &str,
    input: &StepInput,
) -> Result<BookingStatus, Error> {
    crate::within_limits(&[(&fields::COMMENT, input.response.as_str())])?;
    let b = store.booking(id).await?;
    let by = party(who, &b.uscc, &b.owner_uscc)
        .ok_or_else(|| Error::from(StoreError::NotFound(kechuang_store::Absent::Booking { id })))?;
    let action = BookingAction::parse(action).ok_or_else(|| {
        Error::invalid(ServiceProblem::Unknown {
            action: action.to_owned(),
        })
    })?;
    let used = if action == BookingAction::RecordUse {
        let max = b.hours as u32;
        let raw = input.hours.trim();
        let h: f64 = if raw.is_empty() {
            f64::from(max)
        } else {
            raw.parse().unwrap_or(-1.0)
        };
        if !(h > 0.0 && h <= f64::from(max)) {
            return Err(Error::invalid(FieldProblem::new(
                "hours",
                ServiceProblem::UsedHours { max },
            )));
        }
        Some(h)
    } else {
        None
    };
    Ok(store
        .step_booking(
            id,
            (action, by),
            (input.response.trim(), used),
            &who.actor(),
        )
        .await?)
}

/// Services completed and instrument hours used, by county (open figures for the dashboard).
pub async fn counts(store: &Store) -> Result<Vec<(String, ServiceCounts)>, Error> {
    Ok(store.service_counts().await?)
}
