//! The innovation competition: competitions, entries and their files, rounds with their
//! entries and expert scores, and the prizes of the final put into a reward batch.
//! Transactional primitives: every write that depends on the competition's state (registering,
//! screening, opening a round) takes the competition's row first, and every write on a round
//! its round's row, so on PostgreSQL two at once wait for each other as SQLite's write lock
//! makes them; the decisions (who fits, who advances, who wins) are the domain's, applied to
//! what the transaction reads.

use crate::audit::{append_new, Actor};
use crate::{now_utc, Absent, Result, Store, StoreError};
use kechuang_domain::competition::{CompetitionProblem, EntryStatus, Placed, Prize, Stage, Track};
use kechuang_domain::money::Fen;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompetitionRecord {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub programme_code: String,
    pub programme_name: String,
    pub description: String,
    pub registration_opens: String,
    pub registration_closes: String,
    pub prizes: Vec<Prize>,
    pub results_article: Option<i64>,
    pub batch_id: Option<i64>,
    pub created_at: String,
    pub entries: i64,
}

/// A competition as the bureau sets it up.
#[derive(Debug, Clone)]
pub struct NewCompetition {
    pub year: i32,
    pub title: String,
    pub programme_code: String,
    pub description: String,
    pub registration_opens: String,
    pub registration_closes: String,
    pub prizes: Vec<Prize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryRecord {
    pub id: i64,
    pub competition_id: i64,
    /// `None` for a team without a registered enterprise.
    pub uscc: Option<String>,
    pub name: String,
    pub leader: String,
    pub region_code: String,
    pub track: Track,
    pub industry: String,
    pub title: String,
    /// The entry form's answers, as JSON.
    pub answers: String,
    pub status: EntryStatus,
    pub screen_note: String,
    pub registered_by: String,
    pub registered_at: String,
    pub screened_by: Option<String>,
    pub prize: Option<String>,
    pub prize_amount: Option<Fen>,
}

/// An entry as registered.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub uscc: Option<String>,
    pub name: String,
    pub leader: String,
    pub region_code: String,
    pub track: Track,
    pub industry: String,
    pub title: String,
    pub answers: String,
}

/// A file to store with an entry: slot, file name, content type, bytes.
pub type EntryUpload<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundRecord {
    pub id: i64,
    pub competition_id: i64,
    pub stage: Stage,
    pub closed: bool,
    pub experts_per_entry: i64,
    pub advance: Option<i64>,
    pub opened_at: String,
    pub closed_at: Option<String>,
}

/// An entry's standing in a round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundEntry {
    pub round_id: i64,
    pub entry_id: i64,
    pub name: String,
    pub title: String,
    pub track: Track,
    pub industry: String,
    pub region_code: String,
    pub score: Option<f64>,
    pub place: Option<i64>,
    pub advanced: bool,
    /// Scores in, of the experts assigned.
    pub scored: i64,
    pub experts: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoundScore {
    pub expert: String,
    pub expert_name: String,
    /// The rubric's criteria as JSON, `{}` until scored.
    pub criteria: String,
    pub total: Option<f64>,
    pub comment: String,
    pub scored_at: Option<String>,
}

/// An expert's assignment in an open or closed round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub competition_id: i64,
    pub competition: String,
    pub round_id: i64,
    pub stage: Stage,
    pub closed: bool,
    pub entry_id: i64,
    pub title: String,
    pub name: String,
    pub scored: bool,
}

/// What closing a round decides, from its scored entries: the places, who advances, and for
/// the final the prizes (entry, prize name, amount).
#[derive(Debug, Clone, Default)]
pub struct Closing {
    pub places: Vec<Placed>,
    pub advanced: Vec<i64>,
    pub prizes: Vec<(i64, String, Fen)>,
}

/// A prize to pay: entry, the enterprise's credit code, name and county, amount, and the
/// basis the batch shows.
pub type PrizeAward = (i64, String, String, String, Fen, String);

#[derive(Serialize, serde::Deserialize)]
struct StoredPrize {
    name: String,
    count: u32,
    amount_fen: i64,
}

fn prizes_json(prizes: &[Prize]) -> String {
    let v: Vec<StoredPrize> = prizes
        .iter()
        .map(|p| StoredPrize {
            name: p.name.clone(),
            count: p.count,
            amount_fen: p.amount.0,
        })
        .collect();
    serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())
}

fn competition_row(r: &AnyRow) -> Result<CompetitionRecord> {
    let prizes: String = r.try_get("prizes")?;
    let prizes: Vec<StoredPrize> = serde_json::from_str(&prizes)
        .map_err(|e| StoreError::Corrupt(format!("competition prizes: {e}")))?;
    Ok(CompetitionRecord {
        id: r.try_get("id")?,
        year: i32::try_from(r.try_get::<i64, _>("year")?).unwrap_or(0),
        title: r.try_get("title")?,
        programme_code: r.try_get("programme_code")?,
        programme_name: r.try_get("programme_name")?,
        description: r.try_get("description")?,
        registration_opens: r.try_get("registration_opens")?,
        registration_closes: r.try_get("registration_closes")?,
        prizes: prizes
            .into_iter()
            .map(|p| Prize {
                name: p.name,
                count: p.count,
                amount: Fen(p.amount_fen),
            })
            .collect(),
        results_article: r.try_get("results_article")?,
        batch_id: r.try_get("batch_id")?,
        created_at: r.try_get("created_at")?,
        entries: r.try_get("entries")?,
    })
}

const COMPETITION_SELECT: &str = "SELECT c.*, p.name AS programme_name, \
     (SELECT COUNT(*) FROM competition_entries e WHERE e.competition_id = c.id) AS entries \
     FROM competitions c JOIN programmes p ON p.code = c.programme_code";

fn entry_row(r: &AnyRow) -> Result<EntryRecord> {
    let track: String = r.try_get("track")?;
    let status: String = r.try_get("status")?;
    Ok(EntryRecord {
        id: r.try_get("id")?,
        competition_id: r.try_get("competition_id")?,
        uscc: r.try_get("uscc")?,
        name: r.try_get("name")?,
        leader: r.try_get("leader")?,
        region_code: r.try_get("region_code")?,
        track: Track::parse(&track)
            .ok_or_else(|| StoreError::Corrupt(format!("track '{track}'")))?,
        industry: r.try_get("industry")?,
        title: r.try_get("title")?,
        answers: r.try_get("answers")?,
        status: EntryStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("entry status '{status}'")))?,
        screen_note: r.try_get("screen_note")?,
        registered_by: r.try_get("registered_by")?,
        registered_at: r.try_get("registered_at")?,
        screened_by: r.try_get("screened_by")?,
        prize: r.try_get("prize")?,
        prize_amount: r.try_get::<Option<i64>, _>("prize_fen")?.map(Fen),
    })
}

fn round_row(r: &AnyRow) -> Result<RoundRecord> {
    let stage: String = r.try_get("stage")?;
    let status: String = r.try_get("status")?;
    Ok(RoundRecord {
        id: r.try_get("id")?,
        competition_id: r.try_get("competition_id")?,
        stage: Stage::parse(&stage)
            .ok_or_else(|| StoreError::Corrupt(format!("stage '{stage}'")))?,
        closed: status == "closed",
        experts_per_entry: r.try_get("experts_per_entry")?,
        advance: r.try_get("advance")?,
        opened_at: r.try_get("opened_at")?,
        closed_at: r.try_get("closed_at")?,
    })
}

/// Takes the competition's row for the rest of the transaction.
async fn lock_competition(tx: &mut sqlx::Transaction<'static, sqlx::Any>, id: i64) -> Result<()> {
    let n = sqlx::query("UPDATE competitions SET title = title WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound(Absent::Competition { id }));
    }
    Ok(())
}

/// Takes a round's row and reads it: a score being written and the round's closing wait for
/// each other, so neither reads a state the other is about to change.
async fn lock_round(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
) -> Result<RoundRecord> {
    sqlx::query("UPDATE competition_rounds SET status = status WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    let r = sqlx::query("SELECT * FROM competition_rounds WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound(Absent::Round { id }))?;
    round_row(&r)
}

async fn rounds_begun(tx: &mut sqlx::Transaction<'static, sqlx::Any>, id: i64) -> Result<bool> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM competition_rounds WHERE competition_id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    Ok(n > 0)
}

/// Refuses a registration or a file once the competition's rounds have begun, saying when
/// registration closed.
async fn refuse_after_rounds_begin(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: i64,
) -> Result<()> {
    if !rounds_begun(tx, id).await? {
        return Ok(());
    }
    let closes: String =
        sqlx::query_scalar("SELECT registration_closes FROM competitions WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
    Err(StoreError::rule(CompetitionProblem::RegistrationClosed {
        closes: crate::parse_date(&closes)?,
    }))
}

async fn insert_file(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    entry: i64,
    (slot, name, content_type, data): EntryUpload<'_>,
    actor: &Actor,
) -> Result<String> {
    let digest = kechuang_domain::auth::sha256_hex(data);
    sqlx::query("DELETE FROM competition_entry_files WHERE entry_id = $1 AND slot = $2")
        .bind(entry)
        .bind(slot)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO competition_entry_files (entry_id, slot, file_name, content_type, size_bytes, \
         sha256, data, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(entry)
    .bind(slot)
    .bind(name)
    .bind(content_type)
    .bind(data.len() as i64)
    .bind(&digest)
    .bind(data.to_vec())
    .bind(&actor.name)
    .bind(now_utc())
    .execute(&mut **tx)
    .await?;
    Ok(digest)
}

impl Store {
    pub async fn create_competition(&self, c: &NewCompetition, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO competitions (year, title, programme_code, description, registration_opens, \
             registration_closes, prizes, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(i64::from(c.year))
        .bind(&c.title)
        .bind(&c.programme_code)
        .bind(&c.description)
        .bind(&c.registration_opens)
        .bind(&c.registration_closes)
        .bind(prizes_json(&c.prizes))
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            "competition.create",
            "competition",
            &id.to_string(),
            serde_json::json!({ "year": c.year, "title": c.title, "programme": c.programme_code,
                "opens": c.registration_opens, "closes": c.registration_closes,
                "prizes": prizes_json(&c.prizes) }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn competitions(&self) -> Result<Vec<CompetitionRecord>> {
        sqlx::query(&format!(
            "{COMPETITION_SELECT} ORDER BY c.year DESC, c.id DESC"
        ))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(competition_row)
        .collect()
    }

    pub async fn competition(&self, id: i64) -> Result<CompetitionRecord> {
        let r = sqlx::query(&format!("{COMPETITION_SELECT} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Competition { id }))?;
        competition_row(&r)
    }

    /// Registers an entry with its files in one transaction; refused once a round has begun
    /// or when the enterprise has entered already.
    pub async fn enter_competition(
        &self,
        competition: i64,
        e: &NewEntry,
        files: &[EntryUpload<'_>],
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        lock_competition(&mut tx, competition).await?;
        refuse_after_rounds_begin(&mut tx, competition).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO competition_entries (competition_id, uscc, name, leader, region_code, track, \
             industry, title, answers, status, registered_by, registered_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'registered', $10, $11) RETURNING id",
        )
        .bind(competition)
        .bind(e.uscc.as_deref())
        .bind(&e.name)
        .bind(&e.leader)
        .bind(&e.region_code)
        .bind(e.track.code())
        .bind(&e.industry)
        .bind(&e.title)
        .bind(&e.answers)
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| match &err {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::rule(CompetitionProblem::AlreadyEntered)
            }
            _ => StoreError::Database(err),
        })?;
        let mut stored = Vec::new();
        for f in files {
            let digest = insert_file(&mut tx, id, *f, actor).await?;
            stored.push(serde_json::json!({ "slot": f.0, "file": f.1, "sha256": digest }));
        }
        append_new(
            &mut tx,
            actor,
            "competition.enter",
            "competition",
            &competition.to_string(),
            serde_json::json!({ "entry": id, "uscc": e.uscc, "name": e.name, "track": e.track.code(),
                "industry": e.industry, "title": e.title, "files": stored }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds or replaces a file of an entry, until the rounds begin.
    pub async fn put_entry_file(
        &self,
        entry: i64,
        upload: EntryUpload<'_>,
        actor: &Actor,
    ) -> Result<()> {
        let e = self.competition_entry(entry).await?;
        let mut tx = self.begin_write().await?;
        lock_competition(&mut tx, e.competition_id).await?;
        refuse_after_rounds_begin(&mut tx, e.competition_id).await?;
        let digest = insert_file(&mut tx, entry, upload, actor).await?;
        append_new(
            &mut tx,
            actor,
            "competition.file",
            "competition",
            &e.competition_id.to_string(),
            serde_json::json!({ "entry": entry, "slot": upload.0, "file": upload.1, "sha256": digest }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn competition_entries(&self, competition: i64) -> Result<Vec<EntryRecord>> {
        sqlx::query("SELECT * FROM competition_entries WHERE competition_id = $1 ORDER BY id")
            .bind(competition)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(entry_row)
            .collect()
    }

    /// An enterprise's entries in every competition.
    pub async fn entries_of(&self, uscc: &str) -> Result<Vec<EntryRecord>> {
        sqlx::query("SELECT * FROM competition_entries WHERE uscc = $1 ORDER BY id DESC")
            .bind(uscc)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(entry_row)
            .collect()
    }

    pub async fn competition_entry(&self, id: i64) -> Result<EntryRecord> {
        let r = sqlx::query("SELECT * FROM competition_entries WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Entry { id }))?;
        entry_row(&r)
    }

    pub async fn entry_files(&self, entry: i64) -> Result<Vec<crate::FileRecord>> {
        sqlx::query(
            "SELECT slot, file_name, content_type, size_bytes, sha256, uploaded_at \
             FROM competition_entry_files WHERE entry_id = $1 ORDER BY slot",
        )
        .bind(entry)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(crate::applications::file_row)
        .collect()
    }

    /// A file's name, type and bytes.
    pub async fn entry_file(&self, entry: i64, slot: &str) -> Result<(String, String, Vec<u8>)> {
        let r = sqlx::query(
            "SELECT file_name, content_type, data FROM competition_entry_files \
             WHERE entry_id = $1 AND slot = $2",
        )
        .bind(entry)
        .bind(slot)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| {
            StoreError::NotFound(Absent::File {
                slot: slot.to_owned(),
            })
        })?;
        Ok((
            r.try_get("file_name")?,
            r.try_get("content_type")?,
            r.try_get("data")?,
        ))
    }

    /// The eligibility screening (资格审查), until the rounds begin.
    pub async fn screen_entry(
        &self,
        entry: i64,
        status: EntryStatus,
        note: &str,
        actor: &Actor,
    ) -> Result<()> {
        let e = self.competition_entry(entry).await?;
        let mut tx = self.begin_write().await?;
        lock_competition(&mut tx, e.competition_id).await?;
        if rounds_begun(&mut tx, e.competition_id).await? {
            return Err(StoreError::rule(CompetitionProblem::NotScreenable {
                status: e.status.name_zh(),
            }));
        }
        sqlx::query(
            "UPDATE competition_entries SET status = $1, screen_note = $2, screened_by = $3, \
             screened_at = $4 WHERE id = $5",
        )
        .bind(status.code())
        .bind(note)
        .bind(&actor.name)
        .bind(now_utc())
        .bind(entry)
        .execute(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            "competition.screen",
            "competition",
            &e.competition_id.to_string(),
            serde_json::json!({ "entry": entry, "status": status.code(), "note": note }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn competition_rounds(&self, competition: i64) -> Result<Vec<RoundRecord>> {
        sqlx::query("SELECT * FROM competition_rounds WHERE competition_id = $1 ORDER BY id")
            .bind(competition)
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(round_row)
            .collect()
    }

    /// Opens a round with its entries and each entry's experts. `participants` is checked
    /// against the competition as the transaction finds it: for the preliminary, every entry
    /// screened and the eligible ones taking part; later, those the last round advanced.
    pub async fn open_round(
        &self,
        competition: i64,
        (stage, experts_per_entry): (Stage, i64),
        participants: &[(i64, Vec<String>)],
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        lock_competition(&mut tx, competition).await?;
        let held = sqlx::query("SELECT * FROM competition_rounds WHERE competition_id = $1")
            .bind(competition)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(round_row)
            .collect::<Result<Vec<_>>>()?;
        let closed: Vec<Stage> = held.iter().map(|r| r.stage).collect();
        kechuang_domain::competition::may_open(stage, &closed, held.iter().any(|r| !r.closed))
            .map_err(StoreError::rule)?;
        let expected: Vec<i64> = match held.iter().filter(|r| r.closed).max_by_key(|r| r.stage) {
            None => {
                let waiting: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM competition_entries WHERE competition_id = $1 \
                     AND status = 'registered'",
                )
                .bind(competition)
                .fetch_one(&mut *tx)
                .await?;
                if waiting > 0 {
                    return Err(StoreError::rule(CompetitionProblem::Unscreened {
                        count: usize::try_from(waiting).unwrap_or(0),
                    }));
                }
                sqlx::query_scalar(
                    "SELECT id FROM competition_entries WHERE competition_id = $1 \
                     AND status = 'eligible' ORDER BY id",
                )
                .bind(competition)
                .fetch_all(&mut *tx)
                .await?
            }
            Some(last) => {
                sqlx::query_scalar(
                    "SELECT entry_id FROM round_entries WHERE round_id = $1 AND advanced = 1 \
                     ORDER BY entry_id",
                )
                .bind(last.id)
                .fetch_all(&mut *tx)
                .await?
            }
        };
        let mut given: Vec<i64> = participants.iter().map(|(e, _)| *e).collect();
        given.sort_unstable();
        if given != expected {
            return Err(StoreError::rule(CompetitionProblem::RoundOrder {
                stage: stage.name_zh(),
            }));
        }
        if expected.is_empty() {
            return Err(StoreError::rule(CompetitionProblem::NoEntries));
        }
        let now = now_utc();
        let round: i64 = sqlx::query_scalar(
            "INSERT INTO competition_rounds (competition_id, stage, status, experts_per_entry, \
             opened_by, opened_at) VALUES ($1, $2, 'scoring', $3, $4, $5) RETURNING id",
        )
        .bind(competition)
        .bind(stage.code())
        .bind(experts_per_entry)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        for (entry, experts) in participants {
            sqlx::query("INSERT INTO round_entries (round_id, entry_id) VALUES ($1, $2)")
                .bind(round)
                .bind(entry)
                .execute(&mut *tx)
                .await?;
            for expert in experts {
                sqlx::query(
                    "INSERT INTO round_scores (round_id, entry_id, expert) VALUES ($1, $2, $3)",
                )
                .bind(round)
                .bind(entry)
                .bind(expert)
                .execute(&mut *tx)
                .await?;
            }
        }
        let assigned: Vec<serde_json::Value> = participants
            .iter()
            .map(|(e, x)| serde_json::json!({ "entry": e, "experts": x }))
            .collect();
        append_new(
            &mut tx,
            actor,
            "competition.round_open",
            "competition",
            &competition.to_string(),
            serde_json::json!({ "round": round, "stage": stage.code(), "assigned": assigned }),
        )
        .await?;
        tx.commit().await?;
        Ok(round)
    }

    pub async fn competition_round(&self, id: i64) -> Result<RoundRecord> {
        let r = sqlx::query("SELECT * FROM competition_rounds WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Round { id }))?;
        round_row(&r)
    }

    pub async fn round_entries(&self, round: i64) -> Result<Vec<RoundEntry>> {
        sqlx::query(
            "SELECT r.*, e.name, e.title, e.track, e.industry, e.region_code, \
             (SELECT COUNT(*) FROM round_scores s WHERE s.round_id = r.round_id \
              AND s.entry_id = r.entry_id AND s.total IS NOT NULL) AS scored, \
             (SELECT COUNT(*) FROM round_scores s WHERE s.round_id = r.round_id \
              AND s.entry_id = r.entry_id) AS experts \
             FROM round_entries r JOIN competition_entries e ON e.id = r.entry_id \
             WHERE r.round_id = $1 ORDER BY e.track, r.place, r.entry_id",
        )
        .bind(round)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            let track: String = r.try_get("track")?;
            Ok(RoundEntry {
                round_id: r.try_get("round_id")?,
                entry_id: r.try_get("entry_id")?,
                name: r.try_get("name")?,
                title: r.try_get("title")?,
                track: Track::parse(&track)
                    .ok_or_else(|| StoreError::Corrupt(format!("track '{track}'")))?,
                industry: r.try_get("industry")?,
                region_code: r.try_get("region_code")?,
                score: r.try_get("score")?,
                place: r.try_get("place")?,
                advanced: r.try_get::<i64, _>("advanced")? == 1,
                scored: r.try_get("scored")?,
                experts: r.try_get("experts")?,
            })
        })
        .collect()
    }

    /// The experts' scores of an entry in a round, with their names.
    pub async fn round_scores(&self, round: i64, entry: i64) -> Result<Vec<RoundScore>> {
        sqlx::query(
            "SELECT s.*, x.name AS expert_name FROM round_scores s \
             JOIN experts x ON x.username = s.expert \
             WHERE s.round_id = $1 AND s.entry_id = $2 ORDER BY s.expert",
        )
        .bind(round)
        .bind(entry)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(RoundScore {
                expert: r.try_get("expert")?,
                expert_name: r.try_get("expert_name")?,
                criteria: r.try_get("criteria")?,
                total: r.try_get("total")?,
                comment: r.try_get("comment")?,
                scored_at: r.try_get("scored_at")?,
            })
        })
        .collect()
    }

    /// Every entry an expert is assigned to, in any round, newest round first.
    pub async fn expert_assignments(&self, expert: &str) -> Result<Vec<Assignment>> {
        sqlx::query(
            "SELECT c.id AS competition_id, c.title AS competition, r.id AS round_id, r.stage, \
             r.status, e.id AS entry_id, e.title, e.name, s.total \
             FROM round_scores s JOIN competition_rounds r ON r.id = s.round_id \
             JOIN competitions c ON c.id = r.competition_id \
             JOIN competition_entries e ON e.id = s.entry_id \
             WHERE s.expert = $1 ORDER BY r.id DESC, e.id",
        )
        .bind(expert)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            let stage: String = r.try_get("stage")?;
            Ok(Assignment {
                competition_id: r.try_get("competition_id")?,
                competition: r.try_get("competition")?,
                round_id: r.try_get("round_id")?,
                stage: Stage::parse(&stage)
                    .ok_or_else(|| StoreError::Corrupt(format!("stage '{stage}'")))?,
                closed: r.try_get::<String, _>("status")? == "closed",
                entry_id: r.try_get("entry_id")?,
                title: r.try_get("title")?,
                name: r.try_get("name")?,
                scored: r.try_get::<Option<f64>, _>("total")?.is_some(),
            })
        })
        .collect()
    }

    /// An expert's scores for an entry in an open round (a later one replaces an earlier);
    /// when every assigned expert has scored, the entry's score is their aggregate.
    pub async fn submit_round_score(
        &self,
        (round, entry): (i64, i64),
        criteria: &str,
        (total, comment): (f64, &str),
        drop_extremes: bool,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let r = lock_round(&mut tx, round).await?;
        if r.closed {
            return Err(StoreError::rule(CompetitionProblem::RoundNotScoring {
                stage: r.stage.name_zh(),
            }));
        }
        let n = sqlx::query(
            "UPDATE round_scores SET criteria = $1, total = $2, comment = $3, scored_at = $4 \
             WHERE round_id = $5 AND entry_id = $6 AND expert = $7",
        )
        .bind(criteria)
        .bind(total)
        .bind(comment)
        .bind(now_utc())
        .bind(round)
        .bind(entry)
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::rule(CompetitionProblem::NotYourEntry));
        }
        let totals: Vec<Option<f64>> = sqlx::query_scalar(
            "SELECT total FROM round_scores WHERE round_id = $1 AND entry_id = $2",
        )
        .bind(round)
        .bind(entry)
        .fetch_all(&mut *tx)
        .await?;
        if let Some(all) = totals.into_iter().collect::<Option<Vec<f64>>>() {
            if let Some(score) = kechuang_domain::application::aggregate(&all, drop_extremes) {
                sqlx::query(
                    "UPDATE round_entries SET score = $1 WHERE round_id = $2 AND entry_id = $3",
                )
                .bind(score)
                .bind(round)
                .bind(entry)
                .execute(&mut *tx)
                .await?;
            }
        }
        append_new(
            &mut tx,
            actor,
            "competition.score",
            "competition",
            &r.competition_id.to_string(),
            serde_json::json!({ "round": round, "entry": entry, "total": total }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Closes a round once every score is in: `decide` ranks the scored entries (entry, track,
    /// score) and says who advances and, in the final, who wins which prize.
    pub async fn close_round(
        &self,
        round: i64,
        advance: Option<i64>,
        decide: impl FnOnce(&[(i64, Track, f64)]) -> Closing,
        actor: &Actor,
    ) -> Result<Closing> {
        let mut tx = self.begin_write().await?;
        let r = lock_round(&mut tx, round).await?;
        if r.closed {
            return Err(StoreError::rule(CompetitionProblem::RoundNotScoring {
                stage: r.stage.name_zh(),
            }));
        }
        let missing: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM round_scores WHERE round_id = $1 AND total IS NULL",
        )
        .bind(round)
        .fetch_one(&mut *tx)
        .await?;
        if missing > 0 {
            return Err(StoreError::rule(CompetitionProblem::ScoresMissing {
                count: usize::try_from(missing).unwrap_or(0),
            }));
        }
        let mut scored = Vec::new();
        for row in sqlx::query(
            "SELECT r.entry_id, r.score, e.track FROM round_entries r \
             JOIN competition_entries e ON e.id = r.entry_id WHERE r.round_id = $1",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?
        {
            let track: String = row.try_get("track")?;
            scored.push((
                row.try_get::<i64, _>("entry_id")?,
                Track::parse(&track)
                    .ok_or_else(|| StoreError::Corrupt(format!("track '{track}'")))?,
                row.try_get::<Option<f64>, _>("score")?.unwrap_or(0.0),
            ));
        }
        let closing = decide(&scored);
        for p in &closing.places {
            sqlx::query(
                "UPDATE round_entries SET place = $1, advanced = $2 WHERE round_id = $3 AND entry_id = $4",
            )
            .bind(i64::from(p.rank))
            .bind(i64::from(closing.advanced.contains(&p.entry)))
            .bind(round)
            .bind(p.entry)
            .execute(&mut *tx)
            .await?;
        }
        for (entry, prize, amount) in &closing.prizes {
            sqlx::query("UPDATE competition_entries SET prize = $1, prize_fen = $2 WHERE id = $3")
                .bind(prize)
                .bind(amount.0)
                .bind(entry)
                .execute(&mut *tx)
                .await?;
        }
        let now = now_utc();
        if let Some(a) = advance {
            sqlx::query(
                "UPDATE competition_rounds SET status = 'closed', closed_by = $1, closed_at = $2, \
                 advance = $3 WHERE id = $4",
            )
            .bind(&actor.name)
            .bind(&now)
            .bind(a)
            .bind(round)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE competition_rounds SET status = 'closed', closed_by = $1, closed_at = $2 \
                 WHERE id = $3",
            )
            .bind(&actor.name)
            .bind(&now)
            .bind(round)
            .execute(&mut *tx)
            .await?;
        }
        let prizes: Vec<serde_json::Value> = closing
            .prizes
            .iter()
            .map(|(e, p, a)| serde_json::json!({ "entry": e, "prize": p, "amount_fen": a.0 }))
            .collect();
        append_new(
            &mut tx,
            actor,
            "competition.round_close",
            "competition",
            &r.competition_id.to_string(),
            serde_json::json!({ "round": round, "stage": r.stage.code(),
                "advanced": closing.advanced, "prizes": prizes }),
        )
        .await?;
        tx.commit().await?;
        Ok(closing)
    }

    /// Records the portal article that publishes the results.
    pub async fn set_results_article(
        &self,
        competition: i64,
        article: i64,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE competitions SET results_article = $1 WHERE id = $2 AND results_article IS NULL",
        )
        .bind(article)
        .bind(competition)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(StoreError::rule(CompetitionProblem::ResultsPublished));
        }
        append_new(
            &mut tx,
            actor,
            "competition.publish",
            "competition",
            &competition.to_string(),
            serde_json::json!({ "article": article }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The prizes as an award batch of the competition's programme awaiting review; the batch
    /// then goes through notice, approval and payment like any other. A prize is awarded once
    /// (`competition:C:entry:E`) unless its batch is voided.
    pub async fn commit_prizes(
        &self,
        competition: i64,
        (programme, year): (&str, i32),
        prizes: &[PrizeAward],
        actor: &Actor,
    ) -> Result<i64> {
        if prizes.is_empty() {
            return Err(StoreError::rule(CompetitionProblem::NoPrizeWinners));
        }
        let mut tx = self.begin_write().await?;
        lock_competition(&mut tx, competition).await?;
        let batch = crate::batches::open_batch(&mut tx, programme, year, actor, "").await?;
        let now = now_utc();
        for (entry, uscc, name, region, amount, basis) in prizes {
            sqlx::query(
                "INSERT INTO awards (programme_code, year, batch_id, basis_key, uscc, name, region_code, \
                 basis, event_on, amount_fen, status, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'proposed', $11)",
            )
            .bind(programme)
            .bind(i64::from(year))
            .bind(batch)
            .bind(format!("competition:{competition}:entry:{entry}"))
            .bind(uscc)
            .bind(name)
            .bind(region)
            .bind(basis)
            .bind(now.get(..10).unwrap_or(""))
            .bind(amount.0)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(|e| match &e {
                sqlx::Error::Database(d) if d.is_unique_violation() => {
                    StoreError::rule(CompetitionProblem::PrizesAwarded)
                }
                _ => StoreError::Database(e),
            })?;
        }
        sqlx::query("UPDATE competitions SET batch_id = $1 WHERE id = $2")
            .bind(batch)
            .bind(competition)
            .execute(&mut *tx)
            .await?;
        append_new(
            &mut tx,
            actor,
            "batch.commit",
            "award_batch",
            &batch.to_string(),
            serde_json::json!({ "programme": programme, "year": year, "competition": competition,
                "prizes": prizes.len() }),
        )
        .await?;
        tx.commit().await?;
        Ok(batch)
    }
}
