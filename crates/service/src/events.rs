//! Events (活动): the bureau announces them with their organising units and agenda;
//! enterprises (logged in) and individuals (not) register, a full event puts them on a waiting
//! list, a seat given back moves the first waiting up; the bureau checks people in while the
//! event runs and records that it was held with its outcome, or cancelled. The public sees
//! every event and its figures, never who registered.

use crate::auth::{AsApplicant, AsBureau, Principal};
use crate::{Error, Saved};
use chrono::NaiveDate;
use kechuang_domain::auth::{DataScope, Role};
use kechuang_domain::event::{
    admit, check_in, held_by_year, promote, registration_open, EventKind, EventProblem,
    EventStatus, Seat,
};
use kechuang_domain::problem::FieldProblem;
use kechuang_store::{
    EventRecord, EventWrite, NewRegistration, RegistrationRecord, Store, StoreError,
};
use std::collections::BTreeMap;

/// An event as the bureau types it.
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub agenda: String,
    pub speakers: String,
    pub place: String,
    /// A county's code, or blank for the city.
    pub region: String,
    pub starts_on: String,
    pub ends_on: String,
    pub registration_closes: String,
    pub capacity: String,
    /// Unit codes or names, separated by commas or lines.
    pub organisers: String,
}

impl EventInput {
    pub fn of(e: &EventRecord) -> Self {
        Self {
            kind: e.kind.as_str().to_owned(),
            title: e.title.clone(),
            summary: e.summary.clone(),
            agenda: e.agenda.clone(),
            speakers: e.speakers.clone(),
            place: e.place.clone(),
            region: e.region_code.clone().unwrap_or_default(),
            starts_on: e.starts_on.clone(),
            ends_on: e.ends_on.clone(),
            registration_closes: e.registration_closes.clone().unwrap_or_default(),
            capacity: e.capacity.to_string(),
            organisers: e.organisers.join("，"),
        }
    }
}

fn day(raw: &str) -> Option<NaiveDate> {
    kechuang_domain::text::written_date(raw.trim())
}

/// Announces an event (`id` None) or corrects one; problems by field with nothing saved.
pub async fn put(
    store: &Store,
    who: AsBureau<'_>,
    id: Option<i64>,
    input: &EventInput,
) -> Result<(Saved, Option<i64>), Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[
        (&fields::CALL_TITLE, input.title.as_str()),
        (&fields::DESCRIPTION, input.summary.as_str()),
        (&fields::CALL_GUIDE, input.agenda.as_str()),
        (&fields::DESCRIPTION, input.speakers.as_str()),
        (&fields::ORGANISATION, input.place.as_str()),
    ])?;
    if let Some(id) = id {
        store.event(id).await?;
    }
    let mut problems = Vec::new();
    let kind = EventKind::parse(&input.kind);
    if kind.is_none() {
        problems.push(FieldProblem::new(
            "kind",
            EventProblem::Kind {
                raw: input.kind.clone(),
            },
        ));
    }
    if input.title.trim().is_empty() {
        problems.push(FieldProblem::new("title", EventProblem::TitleRequired));
    }
    let starts = day(&input.starts_on);
    let ends = if input.ends_on.trim().is_empty() {
        starts
    } else {
        day(&input.ends_on)
    };
    let dates = match (starts, ends) {
        (Some(s), Some(e)) if s <= e => Some((s, e)),
        _ => {
            problems.push(FieldProblem::new(
                "starts_on",
                EventProblem::Dates {
                    raw: format!("{} — {}", input.starts_on.trim(), input.ends_on.trim()),
                },
            ));
            None
        }
    };
    let closes = match input.registration_closes.trim() {
        "" => None,
        raw => match day(raw) {
            Some(d) if dates.is_none_or(|(_, e)| d <= e) => Some(d),
            _ => {
                problems.push(FieldProblem::new(
                    "registration_closes",
                    EventProblem::Dates {
                        raw: raw.to_owned(),
                    },
                ));
                None
            }
        },
    };
    let capacity = match input.capacity.trim() {
        "" => 0,
        raw => raw.parse::<u32>().unwrap_or_else(|_| {
            problems.push(FieldProblem::new(
                "capacity",
                EventProblem::Capacity {
                    raw: raw.to_owned(),
                },
            ));
            0
        }),
    };
    let region = input.region.trim();
    let region = if region.is_empty() {
        None
    } else {
        let tree = store.region_tree().await?;
        match kechuang_domain::RegionCode::parse(region)
            .ok()
            .filter(|c| tree.get(c).is_some())
        {
            Some(_) => Some(region),
            None => {
                problems.push(FieldProblem::new(
                    "region",
                    EventProblem::Region {
                        raw: region.to_owned(),
                    },
                ));
                None
            }
        }
    };
    let mut organisers = Vec::new();
    for raw in input
        .organisers
        .split([',', '，', '、', '\n', ';', '；'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        match store.unit_named(raw).await? {
            Some(u) if !organisers.contains(&u.code) => organisers.push(u.code),
            Some(_) => {}
            None => problems.push(FieldProblem::new(
                "organisers",
                crate::supervision::SupervisionProblem::NoUnit {
                    unit: raw.to_owned(),
                },
            )),
        }
    }
    let (Some(kind), Some((starts, ends)), true) = (kind, dates, problems.is_empty()) else {
        return Ok((Saved::Refused(problems), None));
    };
    let w = EventWrite {
        kind,
        title: input.title.trim(),
        summary: input.summary.trim(),
        agenda: input.agenda.trim_end(),
        speakers: input.speakers.trim(),
        place: input.place.trim(),
        region_code: region,
        starts_on: starts.to_string(),
        ends_on: ends.to_string(),
        registration_closes: closes.map(|d| d.to_string()),
        capacity,
        organisers: &organisers,
    };
    let id = store.put_event(id, &w, &who.actor()).await?;
    Ok((Saved::Done, Some(id)))
}

/// Every event, the latest first.
pub async fn list(store: &Store) -> Result<Vec<EventRecord>, Error> {
    Ok(store.events().await?)
}

/// Planned events from `today` on, the soonest first.
pub async fn upcoming(store: &Store, today: NaiveDate) -> Result<Vec<EventRecord>, Error> {
    let day = today.to_string();
    let mut list: Vec<EventRecord> = store
        .events()
        .await?
        .into_iter()
        .filter(|e| e.status == EventStatus::Planned && e.ends_on >= day)
        .collect();
    list.reverse();
    Ok(list)
}

pub async fn event(store: &Store, id: i64) -> Result<EventRecord, Error> {
    Ok(store.event(id).await?)
}

/// Events of each kind held in each year from `from` to `to`.
pub async fn yearly(
    store: &Store,
    (from, to): (i32, i32),
) -> Result<BTreeMap<(EventKind, i32), usize>, Error> {
    let events: Vec<(EventKind, EventStatus, NaiveDate)> = store
        .events()
        .await?
        .into_iter()
        .filter_map(|e| Some((e.kind, e.status, day(&e.starts_on)?)))
        .collect();
    Ok(held_by_year(&events)
        .into_iter()
        .filter(|((_, y), _)| (from..=to).contains(y))
        .collect())
}

fn open_for(e: &EventRecord, today: NaiveDate) -> Result<(), Error> {
    let starts = day(&e.starts_on).ok_or_else(|| Error::internal("stored event date"))?;
    registration_open(
        e.status,
        starts,
        e.registration_closes.as_deref().and_then(day),
        today,
    )
    .map_err(Error::conflict)
}

/// Who registers: an enterprise's account for its enterprise, or a person with no account.
pub enum Registrant<'a> {
    Enterprise(AsApplicant<'a>),
    /// With the address the request came from, for the audit trail.
    Person {
        client: &'a str,
    },
}

/// Registers for an event: a seat, or the waiting list when it is full.
pub async fn register(
    store: &Store,
    who: Registrant<'_>,
    event_id: i64,
    (attendee, organisation, phone): (&str, &str, &str),
    today: NaiveDate,
) -> Result<(i64, Seat), Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[
        (&fields::DISPLAY_NAME, attendee),
        (&fields::ORGANISATION, organisation),
        (&fields::PHONE, phone),
    ])?;
    let e = store.event(event_id).await?;
    open_for(&e, today)?;
    let (uscc, organisation, actor) = match &who {
        Registrant::Enterprise(a) => {
            let DataScope::Enterprise(uscc) = a.scope() else {
                return Err(Error::forbidden(crate::auth::RoleRequired::Applicant));
            };
            let name = store.enterprise(uscc).await?.name;
            (Some(uscc.clone()), name, a.actor())
        }
        Registrant::Person { client } => (
            None,
            organisation.trim().to_owned(),
            kechuang_store::Actor::new("public", *client),
        ),
    };
    if attendee.trim().is_empty() || organisation.is_empty() {
        return Err(Error::invalid(EventProblem::NameRequired));
    }
    let phone = phone.trim();
    let phone_ok = phone.chars().filter(char::is_ascii_digit).count() >= 7
        && phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | ' ' | '+' | '(' | ')'));
    if !phone_ok {
        return Err(Error::invalid(EventProblem::Phone {
            raw: phone.to_owned(),
        }));
    }
    let r = NewRegistration {
        uscc: uscc.as_deref(),
        attendee: attendee.trim(),
        organisation: &organisation,
        phone,
    };
    let capacity = e.capacity;
    store
        .register(event_id, &r, |taken| admit(capacity, taken), &actor)
        .await?
        .ok_or_else(|| Error::conflict(EventProblem::AlreadyRegistered))
}

/// Gives a seat back: the bureau any, an enterprise its own. Returns who moved up.
pub async fn cancel(store: &Store, who: &Principal, registration: i64) -> Result<Vec<i64>, Error> {
    let r = store.registration(registration).await?;
    let own = matches!(who.scope(), DataScope::Enterprise(u) if Some(u) == r.uscc.as_ref());
    if who.role() != Role::Bureau && !own {
        return Err(StoreError::NotFound(kechuang_store::Absent::Registration {
            id: registration,
        })
        .into());
    }
    let capacity = store.event(r.event_id).await?.capacity;
    Ok(store
        .cancel_registration(registration, |seats| promote(capacity, seats), &who.actor())
        .await?)
}

/// Marks someone present while the event runs.
pub async fn attend(
    store: &Store,
    who: AsBureau<'_>,
    registration: i64,
    today: NaiveDate,
) -> Result<(), Error> {
    let r = store.registration(registration).await?;
    let e = store.event(r.event_id).await?;
    let (Some(s), Some(en)) = (day(&e.starts_on), day(&e.ends_on)) else {
        return Err(Error::internal("stored event dates"));
    };
    check_in(r.seat, (s, en), today).map_err(Error::conflict)?;
    store.check_in(registration, &who.actor()).await?;
    Ok(())
}

/// Records the event held (with what it led to) or cancelled.
pub async fn close(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
    held: bool,
    (projects, agreements, outcome): (&str, &str, &str),
    today: NaiveDate,
) -> Result<EventRecord, Error> {
    crate::within_limits(&[(&kechuang_domain::text::fields::DESCRIPTION, outcome)])?;
    let e = store.event(id).await?;
    let count = |raw: &str| -> Result<i64, Error> {
        match raw.trim() {
            "" => Ok(0),
            t => t
                .parse::<u32>()
                .map(i64::from)
                .map_err(|_| Error::invalid(EventProblem::Outcome { raw: t.to_owned() })),
        }
    };
    let (p, a) = (count(projects)?, count(agreements)?);
    if held && day(&e.starts_on).is_some_and(|s| today < s) {
        return Err(Error::conflict(EventProblem::HeldEarly {
            starts: e.starts_on.clone(),
        }));
    }
    let status = if held {
        EventStatus::Held
    } else {
        EventStatus::Cancelled
    };
    store
        .close_event(id, status, (p, a, outcome.trim()), &who.actor())
        .await?;
    Ok(store.event(id).await?)
}

/// An event's registrations, for the bureau.
pub async fn registrations(
    store: &Store,
    _who: AsBureau<'_>,
    event_id: i64,
) -> Result<Vec<RegistrationRecord>, Error> {
    store.event(event_id).await?;
    Ok(store.registrations(event_id).await?)
}

/// The caller's own registration for an event, if it is an enterprise holding one.
pub async fn own_registration(
    store: &Store,
    who: &Principal,
    event_id: i64,
) -> Result<Option<RegistrationRecord>, Error> {
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Ok(None);
    };
    Ok(store
        .registrations_of(uscc)
        .await?
        .into_iter()
        .find(|r| r.event_id == event_id && r.seat != Seat::Cancelled))
}

/// The events an enterprise registered for, with the event: its attendance record.
pub async fn attendance(
    store: &Store,
    uscc: &str,
) -> Result<Vec<(EventRecord, RegistrationRecord)>, Error> {
    let mut out = Vec::new();
    for r in store.registrations_of(uscc).await? {
        if r.seat == Seat::Cancelled {
            continue;
        }
        out.push((store.event(r.event_id).await?, r));
    }
    Ok(out)
}
