//! Events with their organising units, registrations, check-in and outcome. Transactional
//! primitives: who gets a seat and who moves up are the domain's rules
//! (`kechuang_domain::event`), handed in and applied inside the transaction that counts seats,
//! so two registrations at once never both take the last seat.

use crate::audit::{append_new, Actor};
use crate::{now_utc, Absent, Result, Store, StoreError};
use kechuang_domain::event::{EventKind, EventStatus, Seat};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventRecord {
    pub id: i64,
    pub kind: EventKind,
    pub title: String,
    pub summary: String,
    pub agenda: String,
    pub speakers: String,
    pub place: String,
    pub region_code: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    pub registration_closes: Option<String>,
    /// Seats; 0: no limit.
    pub capacity: u32,
    pub status: EventStatus,
    pub projects_matched: i64,
    pub agreements_signed: i64,
    pub outcome: String,
    pub organisers: Vec<String>,
    pub registered: i64,
    pub waitlisted: i64,
    pub checked_in: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// What the bureau writes about an event; the service has checked it.
#[derive(Debug, Clone, Serialize)]
pub struct EventWrite<'a> {
    pub kind: EventKind,
    pub title: &'a str,
    pub summary: &'a str,
    pub agenda: &'a str,
    pub speakers: &'a str,
    pub place: &'a str,
    pub region_code: Option<&'a str>,
    pub starts_on: String,
    pub ends_on: String,
    pub registration_closes: Option<String>,
    pub capacity: u32,
    pub organisers: &'a [String],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegistrationRecord {
    pub id: i64,
    pub event_id: i64,
    pub uscc: Option<String>,
    pub attendee: String,
    pub organisation: String,
    pub phone: String,
    pub seat: Seat,
    pub registered_by: String,
    pub registered_at: String,
    pub checked_in_at: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewRegistration<'a> {
    pub uscc: Option<&'a str>,
    pub attendee: &'a str,
    pub organisation: &'a str,
    pub phone: &'a str,
}

const SELECT: &str = "SELECT e.*, \
    (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = e.id AND r.seat = 'registered') AS n_registered, \
    (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = e.id AND r.seat = 'waitlisted') AS n_waitlisted, \
    (SELECT COUNT(*) FROM event_registrations r WHERE r.event_id = e.id AND r.checked_in_at IS NOT NULL) AS n_checked_in \
    FROM events e";

fn event_row(r: &AnyRow) -> Result<EventRecord> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    Ok(EventRecord {
        id: r.try_get("id")?,
        kind: EventKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("event kind '{kind}'")))?,
        title: r.try_get("title")?,
        summary: r.try_get("summary")?,
        agenda: r.try_get("agenda")?,
        speakers: r.try_get("speakers")?,
        place: r.try_get("place")?,
        region_code: r.try_get("region_code")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        registration_closes: r.try_get("registration_closes")?,
        capacity: u32::try_from(r.try_get::<i64, _>("capacity")?).unwrap_or(0),
        status: EventStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("event status '{status}'")))?,
        projects_matched: r.try_get("projects_matched")?,
        agreements_signed: r.try_get("agreements_signed")?,
        outcome: r.try_get("outcome")?,
        organisers: Vec::new(),
        registered: r.try_get("n_registered")?,
        waitlisted: r.try_get("n_waitlisted")?,
        checked_in: r.try_get("n_checked_in")?,
        updated_by: r.try_get("updated_by")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn registration_row(r: &AnyRow) -> Result<RegistrationRecord> {
    let seat: String = r.try_get("seat")?;
    Ok(RegistrationRecord {
        id: r.try_get("id")?,
        event_id: r.try_get("event_id")?,
        uscc: r.try_get("uscc")?,
        attendee: r.try_get("attendee")?,
        organisation: r.try_get("organisation")?,
        phone: r.try_get("phone")?,
        seat: Seat::parse(&seat).ok_or_else(|| StoreError::Corrupt(format!("seat '{seat}'")))?,
        registered_by: r.try_get("registered_by")?,
        registered_at: r.try_get("registered_at")?,
        checked_in_at: r.try_get("checked_in_at")?,
    })
}

impl Store {
    async fn with_organisers(&self, mut list: Vec<EventRecord>) -> Result<Vec<EventRecord>> {
        for r in sqlx::query(
            "SELECT event_id, unit_code FROM event_organisers ORDER BY event_id, position",
        )
        .fetch_all(&self.read)
        .await?
        {
            let id: i64 = r.try_get("event_id")?;
            if let Some(e) = list.iter_mut().find(|e| e.id == id) {
                e.organisers.push(r.try_get("unit_code")?);
            }
        }
        Ok(list)
    }

    /// Every event, the latest first.
    pub async fn events(&self) -> Result<Vec<EventRecord>> {
        let list = sqlx::query(&format!("{SELECT} ORDER BY e.starts_on DESC, e.id DESC"))
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(event_row)
            .collect::<Result<Vec<_>>>()?;
        self.with_organisers(list).await
    }

    pub async fn event(&self, id: i64) -> Result<EventRecord> {
        let row = sqlx::query(&format!("{SELECT} WHERE e.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Event { id }))?;
        let mut e = event_row(&row)?;
        e.organisers = sqlx::query_scalar(
            "SELECT unit_code FROM event_organisers WHERE event_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        Ok(e)
    }

    /// A new event (planned), or a new text of one (`id`); returns its id.
    pub async fn put_event(
        &self,
        id: Option<i64>,
        w: &EventWrite<'_>,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let id = match id {
            None => {
                sqlx::query_scalar(
                    "INSERT INTO events (kind, title, summary, agenda, speakers, place, region_code, \
                     starts_on, ends_on, registration_closes, capacity, status, created_by, created_at, \
                     updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                     'planned', $12, $13, $12, $13) RETURNING id",
                )
                .bind(w.kind.as_str())
                .bind(w.title)
                .bind(w.summary)
                .bind(w.agenda)
                .bind(w.speakers)
                .bind(w.place)
                .bind(w.region_code)
                .bind(&w.starts_on)
                .bind(&w.ends_on)
                .bind(&w.registration_closes)
                .bind(i64::from(w.capacity))
                .bind(&actor.name)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?
            }
            Some(id) => {
                let n = sqlx::query(
                    "UPDATE events SET kind = $1, title = $2, summary = $3, agenda = $4, speakers = $5, \
                     place = $6, region_code = $7, starts_on = $8, ends_on = $9, \
                     registration_closes = $10, capacity = $11, updated_by = $12, updated_at = $13 \
                     WHERE id = $14",
                )
                .bind(w.kind.as_str())
                .bind(w.title)
                .bind(w.summary)
                .bind(w.agenda)
                .bind(w.speakers)
                .bind(w.place)
                .bind(w.region_code)
                .bind(&w.starts_on)
                .bind(&w.ends_on)
                .bind(&w.registration_closes)
                .bind(i64::from(w.capacity))
                .bind(&actor.name)
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if n == 0 {
                    return Err(StoreError::NotFound(Absent::Event { id }));
                }
                sqlx::query("DELETE FROM event_organisers WHERE event_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
        };
        for (i, u) in w.organisers.iter().enumerate() {
            sqlx::query(
                "INSERT INTO event_organisers (event_id, unit_code, position) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(u)
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        append_new(
            &mut tx,
            actor,
            "event.put",
            "event",
            &id.to_string(),
            serde_json::to_value(w).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records that the event was held (with its outcome) or cancelled.
    pub async fn close_event(
        &self,
        id: i64,
        status: EventStatus,
        (projects, agreements, outcome): (i64, i64, &str),
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE events SET status = $1, projects_matched = $2, agreements_signed = $3, \
             outcome = $4, updated_by = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(status.as_str())
        .bind(projects)
        .bind(agreements)
        .bind(outcome)
        .bind(&actor.name)
        .bind(now_utc())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound(Absent::Event { id }));
        }
        append_new(
            &mut tx,
            actor,
            &format!("event.{}", status.as_str()),
            "event",
            &id.to_string(),
            serde_json::json!({ "projects_matched": projects, "agreements_signed": agreements, "outcome": outcome }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Registers someone for an event: `seat` decides from the seats already taken (in the
    /// same transaction); `None` when the enterprise holds a seat or waits already.
    pub async fn register(
        &self,
        event_id: i64,
        r: &NewRegistration<'_>,
        seat: impl FnOnce(usize) -> Seat,
        actor: &Actor,
    ) -> Result<Option<(i64, Seat)>> {
        let mut tx = self.begin_write().await?;
        // Takes the event's row first: on PostgreSQL a second registration at the same moment
        // waits here and then counts the seat the first one took (SQLite's write lock does it
        // already), so the last seat is not given twice.
        sqlx::query("UPDATE events SET capacity = capacity WHERE id = $1")
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        if let Some(uscc) = r.uscc {
            let held: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 AND uscc = $2 \
                 AND seat <> 'cancelled'",
            )
            .bind(event_id)
            .bind(uscc)
            .fetch_one(&mut *tx)
            .await?;
            if held > 0 {
                return Ok(None);
            }
        }
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM event_registrations WHERE event_id = $1 AND seat = 'registered'",
        )
        .bind(event_id)
        .fetch_one(&mut *tx)
        .await?;
        let s = seat(usize::try_from(taken).unwrap_or(0));
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO event_registrations (event_id, uscc, attendee, organisation, phone, seat, \
             registered_by, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(event_id)
        .bind(r.uscc)
        .bind(r.attendee)
        .bind(r.organisation)
        .bind(r.phone)
        .bind(s.as_str())
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        // The audit names the organisation, not the person's phone.
        append_new(
            &mut tx,
            actor,
            "event.register",
            "event",
            &event_id.to_string(),
            serde_json::json!({ "registration": id, "uscc": r.uscc, "organisation": r.organisation, "seat": s.as_str() }),
        )
        .await?;
        tx.commit().await?;
        Ok(Some((id, s)))
    }

    /// Gives a seat back; `promote` picks, from the seats in registration order, those that
    /// move up from the waiting list. Returns the registrations moved up.
    pub async fn cancel_registration(
        &self,
        id: i64,
        promote: impl FnOnce(&[Seat]) -> Vec<usize>,
        actor: &Actor,
    ) -> Result<Vec<i64>> {
        let mut tx = self.begin_write().await?;
        // The event's row first, as in `register`: a registration at the same moment waits
        // for the seats this one moves up.
        sqlx::query(
            "UPDATE events SET capacity = capacity \
             WHERE id = (SELECT event_id FROM event_registrations WHERE id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let event_id: Option<i64> = sqlx::query_scalar(
            "UPDATE event_registrations SET seat = 'cancelled' WHERE id = $1 AND seat <> 'cancelled' \
             RETURNING event_id",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(event_id) = event_id else {
            return Ok(Vec::new());
        };
        let rows =
            sqlx::query("SELECT id, seat FROM event_registrations WHERE event_id = $1 ORDER BY id")
                .bind(event_id)
                .fetch_all(&mut *tx)
                .await?;
        let mut ids = Vec::new();
        let mut seats = Vec::new();
        for r in &rows {
            let s: String = r.try_get("seat")?;
            ids.push(r.try_get::<i64, _>("id")?);
            seats.push(Seat::parse(&s).ok_or_else(|| StoreError::Corrupt(format!("seat '{s}'")))?);
        }
        let mut up = Vec::new();
        for i in promote(&seats) {
            if let Some(rid) = ids.get(i) {
                sqlx::query("UPDATE event_registrations SET seat = 'registered' WHERE id = $1")
                    .bind(rid)
                    .execute(&mut *tx)
                    .await?;
                up.push(*rid);
            }
        }
        append_new(
            &mut tx,
            actor,
            "event.cancel_registration",
            "event",
            &event_id.to_string(),
            serde_json::json!({ "registration": id, "moved_up": up }),
        )
        .await?;
        tx.commit().await?;
        Ok(up)
    }

    /// Marks a registration present; `false` if it was checked in already.
    pub async fn check_in(&self, id: i64, actor: &Actor) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let event_id: Option<i64> = sqlx::query_scalar(
            "UPDATE event_registrations SET checked_in_at = $1, checked_in_by = $2 \
             WHERE id = $3 AND checked_in_at IS NULL RETURNING event_id",
        )
        .bind(now_utc())
        .bind(&actor.name)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(event_id) = event_id else {
            return Ok(false);
        };
        append_new(
            &mut tx,
            actor,
            "event.check_in",
            "event",
            &event_id.to_string(),
            serde_json::json!({ "registration": id }),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn registration(&self, id: i64) -> Result<RegistrationRecord> {
        let row = sqlx::query("SELECT * FROM event_registrations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Registration { id }))?;
        registration_row(&row)
    }

    /// An event's registrations in the order they came.
    pub async fn registrations(&self, event_id: i64) -> Result<Vec<RegistrationRecord>> {
        sqlx::query("SELECT * FROM event_registrations WHERE event_id = $1 ORDER BY id")
            .bind(event_id)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(registration_row)
            .collect()
    }

    /// An enterprise's registrations (any event), the latest event first.
    pub async fn registrations_of(&self, uscc: &str) -> Result<Vec<RegistrationRecord>> {
        sqlx::query(
            "SELECT r.* FROM event_registrations r JOIN events e ON e.id = r.event_id \
             WHERE r.uscc = $1 ORDER BY e.starts_on DESC, r.id DESC",
        )
        .bind(uscc)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(registration_row)
        .collect()
    }
}
