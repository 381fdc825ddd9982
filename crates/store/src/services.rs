//! The SME service platform: the catalogue of providers' services, requests with their steps
//! and ratings, shared instruments and their bookings. Transactional primitives: which step is
//! allowed is the domain's rule (`kechuang_domain::services`), applied inside the transaction
//! that reads the current state, so two answers at once never both win.

use crate::audit::{append_new, Actor};
use crate::{now_utc, Absent, Result, Store, StoreError};
use kechuang_domain::money::Fen;
use kechuang_domain::services::{
    booking_step, collide, request_step, BookingAction, BookingStatus, Party, RequestAction,
    RequestStatus, ServiceProblem,
};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OfferingRecord {
    pub id: i64,
    pub provider_id: i64,
    pub provider: String,
    pub provider_uscc: String,
    pub provider_kind: String,
    pub title: String,
    pub description: String,
    pub price: Fen,
    pub price_unit: String,
    pub conditions: String,
    /// Whether an innovation voucher may pay for it.
    pub voucher: bool,
    pub active: bool,
    /// Completed requests, and their mean rating when any was rated.
    pub completed: i64,
    pub rating: Option<f64>,
}

/// A catalogue entry as written.
#[derive(Debug, Clone, Default)]
pub struct NewOffering {
    pub provider_id: i64,
    pub title: String,
    pub description: String,
    pub price: Fen,
    pub price_unit: String,
    pub conditions: String,
    pub voucher: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestRecord {
    pub id: i64,
    pub offering_id: i64,
    pub offering: String,
    pub provider: String,
    pub provider_id: i64,
    pub provider_uscc: String,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub note: String,
    pub status: RequestStatus,
    pub response: String,
    pub amount: Option<Fen>,
    pub requested_at: String,
    pub responded_at: Option<String>,
    pub completed_at: Option<String>,
    pub rating: Option<i64>,
    pub rating_note: String,
    pub voucher_id: Option<i64>,
    pub voucher_eligible: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentRecord {
    pub id: i64,
    pub name: String,
    pub model: String,
    pub specs: String,
    pub owner: String,
    pub owner_uscc: String,
    pub location: String,
    pub region_code: String,
    /// Fee per hour.
    pub fee: Fen,
    pub active: bool,
    pub hours_used: f64,
}

/// An instrument as registered.
#[derive(Debug, Clone, Default)]
pub struct NewInstrument {
    pub name: String,
    pub model: String,
    pub specs: String,
    pub owner: String,
    pub owner_uscc: String,
    pub location: String,
    pub region_code: String,
    pub fee: Fen,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BookingRecord {
    pub id: i64,
    pub instrument_id: i64,
    pub instrument: String,
    pub owner_uscc: String,
    pub uscc: String,
    pub name: String,
    pub region_code: String,
    pub day: String,
    pub start_hour: i64,
    pub hours: i64,
    pub purpose: String,
    pub status: BookingStatus,
    pub response: String,
    pub used_hours: Option<f64>,
    pub requested_at: String,
}

/// Services completed and instrument hours used in a region (the enterprise's county).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ServiceCounts {
    pub services: i64,
    pub hours: f64,
}

const OFFERING_SELECT: &str = "SELECT o.*, p.name AS provider, p.uscc AS provider_uscc, \
     p.kind AS provider_kind, \
     (SELECT COUNT(*) FROM service_requests r WHERE r.offering_id = o.id AND r.status = 'completed') AS completed, \
     (SELECT AVG(CAST(r.rating AS DOUBLE PRECISION)) FROM service_requests r WHERE r.offering_id = o.id AND r.rating IS NOT NULL) AS mean_rating \
     FROM service_offerings o JOIN voucher_providers p ON p.id = o.provider_id";

const REQUEST_SELECT: &str = "SELECT r.*, o.title AS offering, o.provider_id, o.voucher, \
     p.name AS provider, p.uscc AS provider_uscc \
     FROM service_requests r JOIN service_offerings o ON o.id = r.offering_id \
     JOIN voucher_providers p ON p.id = o.provider_id";

const INSTRUMENT_SELECT: &str = "SELECT i.*, \
     (SELECT COALESCE(SUM(b.used_hours), 0.0) FROM instrument_bookings b WHERE b.instrument_id = i.id AND b.status = 'used') AS hours_used \
     FROM instruments i";

const BOOKING_SELECT: &str = "SELECT b.*, i.name AS instrument, i.owner_uscc \
     FROM instrument_bookings b JOIN instruments i ON i.id = b.instrument_id";

fn offering_row(r: &AnyRow) -> Result<OfferingRecord> {
    Ok(OfferingRecord {
        id: r.try_get("id")?,
        provider_id: r.try_get("provider_id")?,
        provider: r.try_get("provider")?,
        provider_uscc: r.try_get("provider_uscc")?,
        provider_kind: r.try_get("provider_kind")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        price: Fen(r.try_get("price_fen")?),
        price_unit: r.try_get("price_unit")?,
        conditions: r.try_get("conditions")?,
        voucher: r.try_get::<i64, _>("voucher")? != 0,
        active: r.try_get::<i64, _>("active")? != 0,
        completed: r.try_get("completed")?,
        rating: r.try_get("mean_rating")?,
    })
}

fn request_row(r: &AnyRow) -> Result<RequestRecord> {
    let status: String = r.try_get("status")?;
    Ok(RequestRecord {
        id: r.try_get("id")?,
        offering_id: r.try_get("offering_id")?,
        offering: r.try_get("offering")?,
        provider: r.try_get("provider")?,
        provider_id: r.try_get("provider_id")?,
        provider_uscc: r.try_get("provider_uscc")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        note: r.try_get("note")?,
        status: RequestStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("request status {status}")))?,
        response: r.try_get("response")?,
        amount: r.try_get::<Option<i64>, _>("amount_fen")?.map(Fen),
        requested_at: r.try_get("requested_at")?,
        responded_at: r.try_get("responded_at")?,
        completed_at: r.try_get("completed_at")?,
        rating: r.try_get("rating")?,
        rating_note: r.try_get("rating_note")?,
        voucher_id: r.try_get("voucher_id")?,
        voucher_eligible: r.try_get::<i64, _>("voucher")? != 0,
    })
}

fn instrument_row(r: &AnyRow) -> Result<InstrumentRecord> {
    Ok(InstrumentRecord {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        model: r.try_get("model")?,
        specs: r.try_get("specs")?,
        owner: r.try_get("owner")?,
        owner_uscc: r.try_get("owner_uscc")?,
        location: r.try_get("location")?,
        region_code: r.try_get("region_code")?,
        fee: Fen(r.try_get("fee_fen")?),
        active: r.try_get::<i64, _>("active")? != 0,
        hours_used: r.try_get("hours_used")?,
    })
}

fn booking_row(r: &AnyRow) -> Result<BookingRecord> {
    let status: String = r.try_get("status")?;
    Ok(BookingRecord {
        id: r.try_get("id")?,
        instrument_id: r.try_get("instrument_id")?,
        instrument: r.try_get("instrument")?,
        owner_uscc: r.try_get("owner_uscc")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        region_code: r.try_get("region_code")?,
        day: r.try_get("day")?,
        start_hour: r.try_get("start_hour")?,
        hours: r.try_get("hours")?,
        purpose: r.try_get("purpose")?,
        status: BookingStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("booking status {status}")))?,
        response: r.try_get("response")?,
        used_hours: r.try_get("used_hours")?,
        requested_at: r.try_get("requested_at")?,
    })
}

/// Narrows a list of requests or bookings to a client, a provider (owner) or some counties:
/// the columns holding each, and the values wanted.
fn by_party(
    sql: &mut crate::sql::Sql,
    (client_col, provider_col, region_col): (&str, &str, &str),
    (client, provider, regions): (Option<&str>, Option<&str>, Option<&[String]>),
) {
    for (col, v) in [(client_col, client), (provider_col, provider)] {
        if let Some(u) = v {
            let p = sql.arg(u.to_owned());
            sql.push(&format!(" AND {col} = {p}"));
        }
    }
    if let Some(rs) = regions {
        sql.in_list(region_col, rs);
    }
}

/// The requesting enterprise's name and county, from the registry.
async fn client(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    uscc: &str,
) -> Result<(String, String)> {
    let e: Option<(String, String)> =
        sqlx::query_as("SELECT name, region_code FROM enterprises WHERE uscc = $1")
            .bind(uscc)
            .fetch_optional(&mut **tx)
            .await?;
    e.ok_or_else(|| {
        StoreError::Refused(crate::Refusal::NotRegistered {
            uscc: uscc.to_owned(),
        })
    })
}

impl Store {
    /// Adds a service to a provider's catalogue.
    pub async fn add_offering(&self, o: &NewOffering, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO service_offerings (provider_id, title, description, price_fen, price_unit, \
             conditions, voucher, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             RETURNING id",
        )
        .bind(o.provider_id)
        .bind(&o.title)
        .bind(&o.description)
        .bind(o.price.0)
        .bind(&o.price_unit)
        .bind(&o.conditions)
        .bind(i64::from(o.voucher))
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            "service.offer",
            "service_offering",
            &id.to_string(),
            serde_json::json!({ "provider": o.provider_id, "title": o.title, "price_fen": o.price.0,
                                "unit": o.price_unit, "voucher": o.voucher }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The catalogue, active services only unless `all`.
    pub async fn offerings(&self, all: bool) -> Result<Vec<OfferingRecord>> {
        let filter = if all {
            ""
        } else {
            " WHERE o.active = 1 AND p.active = 1"
        };
        sqlx::query(&format!(
            "{OFFERING_SELECT}{filter} ORDER BY p.kind, p.name, o.id"
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(offering_row)
        .collect()
    }

    pub async fn offering(&self, id: i64) -> Result<OfferingRecord> {
        let row = sqlx::query(&format!("{OFFERING_SELECT} WHERE o.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Offering { id }))?;
        offering_row(&row)
    }

    /// An enterprise asks for a catalogue service.
    pub async fn request_service(
        &self,
        offering: i64,
        uscc: &str,
        note: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let (name, region) = client(&mut tx, uscc).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO service_requests (offering_id, uscc, name, region_code, note, status, requested_at) \
             VALUES ($1, $2, $3, $4, $5, 'requested', $6) RETURNING id",
        )
        .bind(offering)
        .bind(uscc)
        .bind(&name)
        .bind(&region)
        .bind(note)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            "service.request",
            "service_request",
            &id.to_string(),
            serde_json::json!({ "offering": offering, "uscc": uscc, "note": note }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Requests of an enterprise (`uscc`), to a provider (`provider_uscc`), or within regions.
    pub async fn service_requests(
        &self,
        uscc: Option<&str>,
        provider_uscc: Option<&str>,
        regions: Option<&[String]>,
    ) -> Result<Vec<RequestRecord>> {
        let mut sql = crate::sql::Sql::new(&format!("{REQUEST_SELECT} WHERE 1 = 1"));
        by_party(
            &mut sql,
            ("r.uscc", "p.uscc", "r.region_code"),
            (uscc, provider_uscc, regions),
        );
        sql.push(" ORDER BY r.id DESC");
        sql.fetch_all(&self.read)
            .await?
            .iter()
            .map(request_row)
            .collect()
    }

    pub async fn service_request(&self, id: i64) -> Result<RequestRecord> {
        let row = sqlx::query(&format!("{REQUEST_SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::ServiceRequest { id }))?;
        request_row(&row)
    }

    /// A step on a request by `by`, with the provider's response and, on completion, the
    /// amount charged.
    pub async fn step_request(
        &self,
        id: i64,
        (action, by): (RequestAction, Party),
        (response, amount): (&str, Option<Fen>),
        actor: &Actor,
    ) -> Result<RequestStatus> {
        let mut tx = self.begin_write().await?;
        // Takes the request's row first: on PostgreSQL a second answer at the same moment
        // waits here and then reads the state the first one left (SQLite's write lock does it
        // already).
        sqlx::query("UPDATE service_requests SET status = status WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&format!("{REQUEST_SELECT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound(Absent::ServiceRequest { id }))?;
        let r = request_row(&row)?;
        let to = request_step(r.status, action, by).map_err(StoreError::rule)?;
        let now = now_utc();
        let (responded, completed) = match action {
            RequestAction::Accept | RequestAction::Decline => (Some(now.clone()), None),
            RequestAction::Complete => (r.responded_at.clone(), Some(now.clone())),
            RequestAction::Cancel => (r.responded_at.clone(), None),
        };
        let response = if response.is_empty() {
            r.response.clone()
        } else {
            response.to_owned()
        };
        sqlx::query(
            "UPDATE service_requests SET status = $1, response = $2, responded_at = $3, \
             completed_at = $4 WHERE id = $5 AND status = $6",
        )
        .bind(to.code())
        .bind(&response)
        .bind(&responded)
        .bind(&completed)
        .bind(id)
        .bind(r.status.code())
        .execute(&mut *tx)
        .await?;
        if let Some(a) = amount {
            sqlx::query("UPDATE service_requests SET amount_fen = $1 WHERE id = $2")
                .bind(a.0)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        append_new(
            &mut tx,
            actor,
            &format!("service.{}", to.code()),
            "service_request",
            &id.to_string(),
            serde_json::json!({ "from": r.status.code(), "to": to.code(), "response": response,
                                "amount_fen": amount.map(|a| a.0) }),
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// The enterprise rates a completed service, once.
    pub async fn rate_request(&self, id: i64, rating: u8, note: &str, actor: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE service_requests SET rating = $1, rating_note = $2 \
             WHERE id = $3 AND status = 'completed' AND rating IS NULL",
        )
        .bind(i64::from(rating))
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed != 1 {
            return Err(StoreError::rule(ServiceProblem::Rating));
        }
        append_new(
            &mut tx,
            actor,
            "service.rate",
            "service_request",
            &id.to_string(),
            serde_json::json!({ "rating": rating, "note": note }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn add_instrument(&self, i: &NewInstrument, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO instruments (name, model, specs, owner, owner_uscc, location, region_code, \
             fee_fen, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&i.name)
        .bind(&i.model)
        .bind(&i.specs)
        .bind(&i.owner)
        .bind(&i.owner_uscc)
        .bind(&i.location)
        .bind(&i.region_code)
        .bind(i.fee.0)
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            "instrument.add",
            "instrument",
            &id.to_string(),
            serde_json::json!({ "name": i.name, "owner": i.owner, "owner_uscc": i.owner_uscc,
                                "region": i.region_code, "fee_fen": i.fee.0 }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn instruments(&self) -> Result<Vec<InstrumentRecord>> {
        sqlx::query(&format!(
            "{INSTRUMENT_SELECT} ORDER BY i.region_code, i.name"
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(instrument_row)
        .collect()
    }

    pub async fn instrument(&self, id: i64) -> Result<InstrumentRecord> {
        let row = sqlx::query(&format!("{INSTRUMENT_SELECT} WHERE i.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Instrument { id }))?;
        instrument_row(&row)
    }

    /// An enterprise asks for hours on an instrument.
    pub async fn book_instrument(
        &self,
        instrument: i64,
        uscc: &str,
        (day, start_hour, hours): (chrono::NaiveDate, u32, u32),
        purpose: &str,
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let (name, region) = client(&mut tx, uscc).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO instrument_bookings (instrument_id, uscc, name, region_code, day, start_hour, \
             hours, purpose, status, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'requested', $9) \
             RETURNING id",
        )
        .bind(instrument)
        .bind(uscc)
        .bind(&name)
        .bind(&region)
        .bind(day.to_string())
        .bind(i64::from(start_hour))
        .bind(i64::from(hours))
        .bind(purpose)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            "instrument.book",
            "instrument_booking",
            &id.to_string(),
            serde_json::json!({ "instrument": instrument, "uscc": uscc, "day": day,
                                "start_hour": start_hour, "hours": hours, "purpose": purpose }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Bookings of an enterprise, of an owner's instruments, or within regions.
    pub async fn bookings(
        &self,
        uscc: Option<&str>,
        owner_uscc: Option<&str>,
        regions: Option<&[String]>,
    ) -> Result<Vec<BookingRecord>> {
        let mut sql = crate::sql::Sql::new(&format!("{BOOKING_SELECT} WHERE 1 = 1"));
        by_party(
            &mut sql,
            ("b.uscc", "i.owner_uscc", "b.region_code"),
            (uscc, owner_uscc, regions),
        );
        sql.push(" ORDER BY b.day DESC, b.start_hour, b.id DESC");
        sql.fetch_all(&self.read)
            .await?
            .iter()
            .map(booking_row)
            .collect()
    }

    pub async fn booking(&self, id: i64) -> Result<BookingRecord> {
        let row = sqlx::query(&format!("{BOOKING_SELECT} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Booking { id }))?;
        booking_row(&row)
    }

    /// A step on a booking; an approval is refused when it would overlap another approved
    /// booking of the instrument that day (checked inside the write, the instrument locked).
    pub async fn step_booking(
        &self,
        id: i64,
        (action, by): (BookingAction, Party),
        (response, used_hours): (&str, Option<f64>),
        actor: &Actor,
    ) -> Result<BookingStatus> {
        let mut tx = self.begin_write().await?;
        // Takes the instrument's row first, so steps on its bookings run one at a time on
        // PostgreSQL too: two approvals at once cannot both pass the collision check below.
        sqlx::query(
            "UPDATE instruments SET active = active \
             WHERE id = (SELECT instrument_id FROM instrument_bookings WHERE id = $1)",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!("{BOOKING_SELECT} WHERE b.id = $1"))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound(Absent::Booking { id }))?;
        let b = booking_row(&row)?;
        let to = booking_step(b.status, action, by).map_err(StoreError::rule)?;
        if action == BookingAction::Approve {
            let others: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT id, start_hour, hours FROM instrument_bookings WHERE instrument_id = $1 \
                 AND day = $2 AND status IN ('approved', 'used') AND id <> $3",
            )
            .bind(b.instrument_id)
            .bind(&b.day)
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            let mine = (b.start_hour as u32, b.hours as u32);
            if let Some((other, ..)) = others
                .iter()
                .find(|(_, s, h)| collide(mine, (*s as u32, *h as u32)))
            {
                return Err(StoreError::rule(ServiceProblem::Collides { other: *other }));
            }
        }
        let now = now_utc();
        let response = if response.is_empty() {
            b.response.clone()
        } else {
            response.to_owned()
        };
        let (decided, used) = match action {
            BookingAction::Approve | BookingAction::Decline => (Some(now.clone()), None),
            BookingAction::RecordUse => (None, Some(now.clone())),
            BookingAction::Cancel => (None, None),
        };
        // A statement of its own: a parameter that is sometimes a number and sometimes NULL
        // is typed by whichever came first in PostgreSQL's prepared statement. Before the status:
        // a used booking must hold its hours.
        if let Some(h) = used_hours {
            sqlx::query("UPDATE instrument_bookings SET used_hours = $1 WHERE id = $2")
                .bind(h)
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE instrument_bookings SET status = $1, response = $2, \
             decided_at = COALESCE($3, decided_at), used_at = $4 WHERE id = $5 AND status = $6",
        )
        .bind(to.code())
        .bind(&response)
        .bind(&decided)
        .bind(&used)
        .bind(id)
        .bind(b.status.code())
        .execute(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            &format!("instrument.{}", to.code()),
            "instrument_booking",
            &id.to_string(),
            serde_json::json!({ "from": b.status.code(), "to": to.code(), "response": response,
                                "used_hours": used_hours }),
        )
        .await?;
        tx.commit().await?;
        Ok(to)
    }

    /// Services completed and instrument hours used, by the enterprise's county.
    pub async fn service_counts(&self) -> Result<Vec<(String, ServiceCounts)>> {
        let mut out: std::collections::BTreeMap<String, ServiceCounts> = Default::default();
        let services: Vec<(String, i64)> = sqlx::query_as(
            "SELECT region_code, COUNT(*) FROM service_requests WHERE status = 'completed' GROUP BY region_code",
        )
        .fetch_all(&self.read)
        .await?;
        for (region, n) in services {
            out.entry(region).or_default().services = n;
        }
        let hours: Vec<(String, f64)> = sqlx::query_as(
            "SELECT region_code, CAST(SUM(used_hours) AS DOUBLE PRECISION) FROM instrument_bookings \
             WHERE status = 'used' GROUP BY region_code",
        )
        .fetch_all(&self.read)
        .await?;
        for (region, h) in hours {
            out.entry(region).or_default().hours = h;
        }
        Ok(out.into_iter().collect())
    }
}
