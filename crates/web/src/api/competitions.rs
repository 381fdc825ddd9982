//! The innovation competition over JSON: competitions, entries and their files, eligibility
//! screening, rounds with expert scores, closing a round, publishing the results and paying the
//! prizes as a batch.

use crate::auth::Caller;
use crate::error::{refused_fields, ApiError};
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kechuang_service::competitions::{self as service, CompetitionInput, EntryInput, Upload};
use kechuang_service::Saved;
use kechuang_store::{CompetitionRecord, EntryRecord, RoundEntry, RoundRecord, RoundScore};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::{IntoParams, ToSchema};

#[derive(Serialize, ToSchema)]
pub struct PrizeOut {
    name: String,
    /// How many entries of each track receive it.
    count: u32,
    /// In fen.
    amount: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CompetitionOut {
    id: i64,
    year: i32,
    title: String,
    /// The reward programme that pays the prizes.
    programme: String,
    description: String,
    registration_opens: String,
    registration_closes: String,
    prizes: Vec<PrizeOut>,
    entries: i64,
    /// The portal article with the results, once sent for publication.
    results_article: Option<i64>,
    /// The prize batch, once made.
    batch: Option<i64>,
}

impl From<CompetitionRecord> for CompetitionOut {
    fn from(c: CompetitionRecord) -> Self {
        Self {
            id: c.id,
            year: c.year,
            title: c.title,
            programme: c.programme_code,
            description: c.description,
            registration_opens: c.registration_opens,
            registration_closes: c.registration_closes,
            prizes: c
                .prizes
                .into_iter()
                .map(|p| PrizeOut {
                    name: p.name,
                    count: p.count,
                    amount: p.amount.0,
                })
                .collect(),
            entries: c.entries,
            results_article: c.results_article,
            batch: c.batch_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RoundOut {
    id: i64,
    /// preliminary, semifinal or final.
    stage: String,
    closed: bool,
    experts_per_entry: i64,
    /// Places of each track that advanced (not for the final).
    advance: Option<i64>,
}

impl From<RoundRecord> for RoundOut {
    fn from(r: RoundRecord) -> Self {
        Self {
            id: r.id,
            stage: r.stage.code().into(),
            closed: r.closed,
            experts_per_entry: r.experts_per_entry,
            advance: r.advance,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CompetitionDetail {
    #[serde(flatten)]
    competition: CompetitionOut,
    rounds: Vec<RoundOut>,
    /// Whether the results article is published; the winners are listed only then.
    results_public: bool,
    winners: Vec<WinnerOut>,
}

#[derive(Serialize, ToSchema)]
pub struct WinnerOut {
    track: String,
    prize: String,
    title: String,
    name: String,
    /// In fen.
    amount: i64,
}

/// The competitions, newest first.
#[utoipa::path(get, path = "/api/v1/competitions", tag = "events",
    responses((status = 200, description = "Competitions", body = [CompetitionOut])))]
pub async fn list(State(st): State<AppState>) -> Result<Json<Vec<CompetitionOut>>, ApiError> {
    let items = service::list(&st.store).await?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

/// A competition, its rounds and, once published, its winners.
#[utoipa::path(get, path = "/api/v1/competitions/{id}", tag = "events",
    params(("id" = i64, Path, description = "The competition's id")),
    responses((status = 200, description = "The competition", body = CompetitionDetail)))]
pub async fn competition(
    State(st): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Json<CompetitionDetail>, ApiError> {
    let c = service::competition(&st.store, id).await?;
    let rounds = service::rounds(&st.store, id).await?;
    let public = service::results_public(&st.store, &c).await?;
    let winners = if public {
        st.store
            .competition_entries(id)
            .await?
            .into_iter()
            .filter_map(|e| {
                Some(WinnerOut {
                    track: e.track.code().into(),
                    prize: e.prize?,
                    title: e.title,
                    name: e.name,
                    amount: e.prize_amount.map(|a| a.0).unwrap_or(0),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Json(CompetitionDetail {
        competition: c.into(),
        rounds: rounds.into_iter().map(Into::into).collect(),
        results_public: public,
        winners,
    }))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CompetitionIn {
    year: String,
    #[schema(max_length = 200)]
    title: String,
    /// A reward programme with an entry form and a rubric.
    programme: String,
    description: String,
    /// Any written date style.
    registration_opens: String,
    registration_closes: String,
    /// One prize a line: `一等奖 1 20万元`.
    prizes: String,
}

/// The bureau sets a competition up.
#[utoipa::path(post, path = "/api/v1/competitions", tag = "events", request_body = CompetitionIn,
    responses((status = 201, description = "The competition", body = CompetitionOut),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn create(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Json(b): Json<CompetitionIn>,
) -> Result<Response, ApiError> {
    let input = CompetitionInput {
        year: b.year,
        title: b.title,
        programme: b.programme,
        description: b.description,
        registration_opens: b.registration_opens,
        registration_closes: b.registration_closes,
        prizes: b.prizes,
    };
    match service::create(&st.store, who.as_bureau()?, &input).await? {
        (Saved::Done, Some(id)) => {
            let c: CompetitionOut = st.store.competition(id).await?.into();
            Ok((StatusCode::CREATED, Json(c)).into_response())
        }
        (Saved::Refused(p), _) => Ok(refused_fields(&headers, p)),
        (Saved::Done, None) => Err(crate::error::AppError::internal("saved without an id").into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct EntryOut {
    id: i64,
    competition_id: i64,
    /// `null` for a team without a registered enterprise.
    uscc: Option<String>,
    name: String,
    leader: String,
    region_code: String,
    /// startup or growth.
    track: String,
    industry: String,
    title: String,
    /// The entry form's answers (amounts in fen).
    answers: HashMap<String, String>,
    /// registered, eligible or ineligible.
    status: String,
    screen_note: String,
    registered_at: String,
    prize: Option<String>,
    /// In fen.
    prize_amount: Option<i64>,
}

impl From<EntryRecord> for EntryOut {
    fn from(e: EntryRecord) -> Self {
        Self {
            id: e.id,
            competition_id: e.competition_id,
            uscc: e.uscc,
            name: e.name,
            leader: e.leader,
            region_code: e.region_code,
            track: e.track.code().into(),
            industry: e.industry,
            title: e.title,
            answers: serde_json::from_str(&e.answers).unwrap_or_default(),
            status: e.status.code().into(),
            screen_note: e.screen_note,
            registered_at: e.registered_at,
            prize: e.prize,
            prize_amount: e.prize_amount.map(|a| a.0),
        }
    }
}

/// The entries the caller may see: the bureau all, a county those in its area, an enterprise
/// its own, an expert those assigned.
#[utoipa::path(get, path = "/api/v1/competitions/{id}/entries", tag = "events",
    params(("id" = i64, Path, description = "The competition's id")),
    responses((status = 200, description = "Entries", body = [EntryOut])))]
pub async fn entries(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<EntryOut>>, ApiError> {
    st.store.competition(id).await?;
    let items = service::entries(&st.store, Some(&who), id).await?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct EntryIn {
    /// startup (初创组) or growth (成长组).
    track: String,
    /// One of the six industries: 电子信息, 生物医药, 新材料, 先进制造, 新能源及节能环保,
    /// 互联网和移动互联网.
    industry: String,
    #[schema(max_length = 200)]
    title: String,
    /// The entry form's fields by key.
    answers: HashMap<String, String>,
    /// For a team the bureau enters: its name, leader and county.
    team: String,
    leader: String,
    region: String,
}

/// An enterprise enters (or the bureau enters a team); the files follow one by one.
#[utoipa::path(post, path = "/api/v1/competitions/{id}/entries", tag = "events",
    params(("id" = i64, Path, description = "The competition's id")), request_body = EntryIn,
    responses((status = 201, description = "The entry", body = EntryOut),
              (status = 422, description = "A field is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn enter(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<EntryIn>,
) -> Result<Response, ApiError> {
    let input = EntryInput {
        track: b.track,
        industry: b.industry,
        title: b.title,
        answers: b.answers,
        team: b.team,
        leader: b.leader,
        region: b.region,
    };
    match service::enter(&st.store, &who, id, &input, None).await? {
        (Saved::Done, Some(e)) => {
            let e: EntryOut = st.store.competition_entry(e).await?.into();
            Ok((StatusCode::CREATED, Json(e)).into_response())
        }
        (Saved::Refused(p), _) => Ok(refused_fields(&headers, p)),
        (Saved::Done, None) => Err(crate::error::AppError::internal("saved without an id").into()),
    }
}

#[derive(Serialize, ToSchema)]
pub struct FileOut {
    slot: String,
    file_name: String,
    size: i64,
    sha256: String,
}

#[derive(Serialize, ToSchema)]
pub struct StandingOut {
    round: i64,
    stage: String,
    score: Option<f64>,
    place: Option<i64>,
    advanced: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EntryDetail {
    #[serde(flatten)]
    entry: EntryOut,
    files: Vec<FileOut>,
    /// The entry's standing in each round it took part in.
    rounds: Vec<StandingOut>,
}

/// An entry with its files and its standing in each round.
#[utoipa::path(get, path = "/api/v1/competition-entries/{id}", tag = "events",
    params(("id" = i64, Path, description = "The entry's id")),
    responses((status = 200, description = "The entry", body = EntryDetail)))]
pub async fn entry(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<EntryDetail>, ApiError> {
    let e = service::entry(&st.store, &who, id).await?;
    let files = st
        .store
        .entry_files(id)
        .await?
        .into_iter()
        .map(|f| FileOut {
            slot: f.slot,
            file_name: f.file_name,
            size: f.size,
            sha256: f.sha256,
        })
        .collect();
    let mut rounds = Vec::new();
    for r in service::rounds(&st.store, e.competition_id).await? {
        if let Some(s) = service::round_entries(&st.store, r.id)
            .await?
            .into_iter()
            .find(|x| x.entry_id == id)
        {
            rounds.push(StandingOut {
                round: r.id,
                stage: r.stage.code().into(),
                score: s.score.filter(|_| r.closed),
                place: s.place,
                advanced: s.advanced,
            });
        }
    }
    Ok(Json(EntryDetail {
        entry: e.into(),
        files,
        rounds,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// The entry form's slot (for example `business_plan`).
    #[param(min_length = 1)]
    slot: String,
    /// The file's name; its ending must be one the slot takes.
    #[param(min_length = 1)]
    file_name: String,
}

/// The entrant (or the bureau) adds a file, as the request body, until the rounds begin.
#[utoipa::path(post, path = "/api/v1/competition-entries/{id}/files", tag = "events",
    params(("id" = i64, Path, description = "The entry's id"), FileQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "The file"),
    responses((status = 204, description = "Stored")))]
pub async fn add_file(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Query(q): Query<FileQuery>,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let u = Upload {
        slot: q.slot,
        file_name: q.file_name,
        bytes: body.to_vec(),
    };
    service::add_file(&st.store, &who, id, &u).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A file of an entry, as a download.
#[utoipa::path(get, path = "/api/v1/competition-entries/{id}/files/{slot}", tag = "events",
    params(("id" = i64, Path, description = "The entry's id"),
           ("slot" = String, Path, description = "The form's slot")),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = Vec<u8>)))]
pub async fn file(
    State(st): State<AppState>,
    who: Caller,
    Path((id, slot)): Path<(i64, String)>,
) -> Result<Response, ApiError> {
    let (name, ctype, data) = service::file(&st.store, &who, id, &slot).await?;
    Ok(crate::format::file_download(&name, ctype, data))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ScreeningIn {
    eligible: bool,
    /// Required when not eligible.
    note: String,
}

/// The bureau's eligibility screening (资格审查).
#[utoipa::path(post, path = "/api/v1/competition-entries/{id}/screening", tag = "events",
    params(("id" = i64, Path, description = "The entry's id")), request_body = ScreeningIn,
    responses((status = 200, description = "The entry", body = EntryOut)))]
pub async fn screen(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<ScreeningIn>,
) -> Result<Json<EntryOut>, ApiError> {
    service::screen(&st.store, who.as_bureau()?, id, b.eligible, &b.note).await?;
    Ok(Json(st.store.competition_entry(id).await?.into()))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct ScoreIn {
    /// One score per rubric criterion, by its key.
    scores: HashMap<String, String>,
    comment: String,
}

/// An assigned expert scores an entry in the open round.
#[utoipa::path(post, path = "/api/v1/competition-entries/{id}/scores", tag = "events",
    params(("id" = i64, Path, description = "The entry's id")), request_body = ScoreIn,
    responses((status = 204, description = "Saved"),
              (status = 422, description = "A score is not valid (`invalid_fields`)", body = crate::error::ErrorBody)))]
pub async fn score(
    State(st): State<AppState>,
    who: Caller,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Json(b): Json<ScoreIn>,
) -> Result<Response, ApiError> {
    let mut raw = b.scores;
    raw.insert("comment".into(), b.comment);
    match service::score(&st.store, &who, id, &raw).await? {
        Saved::Done => Ok(StatusCode::NO_CONTENT.into_response()),
        Saved::Refused(p) => Ok(refused_fields(&headers, p)),
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct RoundIn {
    /// preliminary, semifinal or final (初赛, 复赛, 决赛).
    stage: String,
    /// Experts per entry, 1 to 9.
    experts: String,
}

/// Opens the next round with its entries and their experts.
#[utoipa::path(post, path = "/api/v1/competitions/{id}/rounds", tag = "events",
    params(("id" = i64, Path, description = "The competition's id")), request_body = RoundIn,
    responses((status = 201, description = "The round", body = RoundOut)))]
pub async fn open_round(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<RoundIn>,
) -> Result<(StatusCode, Json<RoundOut>), ApiError> {
    let r = service::open_round(&st.store, who.as_bureau()?, id, &b.stage, &b.experts).await?;
    let round = service::rounds(&st.store, id)
        .await?
        .into_iter()
        .find(|x| x.id == r)
        .ok_or_else(|| crate::error::AppError::internal("the round just opened is gone"))?;
    Ok((StatusCode::CREATED, Json(round.into())))
}

#[derive(Serialize, ToSchema)]
pub struct RoundEntryOut {
    entry_id: i64,
    name: String,
    title: String,
    track: String,
    industry: String,
    region_code: String,
    /// The experts' aggregate once all have scored.
    score: Option<f64>,
    place: Option<i64>,
    advanced: bool,
    scored: i64,
    experts: i64,
    scores: Vec<ScoreOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ScoreOut {
    expert: String,
    expert_name: String,
    /// By criterion.
    criteria: HashMap<String, f64>,
    total: Option<f64>,
    comment: String,
}

impl From<RoundScore> for ScoreOut {
    fn from(s: RoundScore) -> Self {
        Self {
            expert: s.expert,
            expert_name: s.expert_name,
            criteria: serde_json::from_str(&s.criteria).unwrap_or_default(),
            total: s.total,
            comment: s.comment,
        }
    }
}

fn round_entry(e: RoundEntry, scores: Vec<RoundScore>) -> RoundEntryOut {
    RoundEntryOut {
        entry_id: e.entry_id,
        name: e.name,
        title: e.title,
        track: e.track.code().into(),
        industry: e.industry,
        region_code: e.region_code,
        score: e.score,
        place: e.place,
        advanced: e.advanced,
        scored: e.scored,
        experts: e.experts,
        scores: scores.into_iter().map(Into::into).collect(),
    }
}

/// A round's entries with their experts' scores, places and advancement, for the bureau.
#[utoipa::path(get, path = "/api/v1/competition-rounds/{id}", tag = "events",
    params(("id" = i64, Path, description = "The round's id")),
    responses((status = 200, description = "The round's entries", body = [RoundEntryOut])))]
pub async fn round(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RoundEntryOut>>, ApiError> {
    who.as_bureau()?;
    st.store.competition_round(id).await?;
    let mut out = Vec::new();
    for e in service::round_entries(&st.store, id).await? {
        let scores = service::scores(&st.store, &who, id, e.entry_id).await?;
        out.push(round_entry(e, scores));
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(default)]
pub struct CloseIn {
    /// Places of each track that advance (not for the final).
    advance: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClosedOut {
    /// The entries that advance.
    advanced: Vec<i64>,
    /// After the final: (entry, prize, amount in fen).
    prizes: Vec<(i64, String, i64)>,
}

/// Closes the open round once every score is in: places, advancement, and after the final the
/// prizes.
#[utoipa::path(post, path = "/api/v1/competitions/{id}/close-round", tag = "events",
    params(("id" = i64, Path, description = "The competition's id")), request_body = CloseIn,
    responses((status = 200, description = "Who advanced or won", body = ClosedOut)))]
pub async fn close_round(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
    Json(b): Json<CloseIn>,
) -> Result<Json<ClosedOut>, ApiError> {
    let c = service::close_round(&st.store, who.as_bureau()?, id, &b.advance).await?;
    Ok(Json(ClosedOut {
        advanced: c.advanced,
        prizes: c.prizes.into_iter().map(|(e, p, a)| (e, p, a.0)).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct PublishedOut {
    /// The results article, sent for the portal's review.
    article: i64,
}

/// Writes the results as a portal article and sends it for review.
#[utoipa::path(post, path = "/api/v1/competitions/{id}/publish", tag = "events",
    params(("id" = i64, Path, description = "The competition's id")),
    responses((status = 201, description = "The article", body = PublishedOut)))]
pub async fn publish(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<PublishedOut>), ApiError> {
    let article = service::publish(&st.store, who.as_bureau()?, id).await?;
    Ok((StatusCode::CREATED, Json(PublishedOut { article })))
}

#[derive(Serialize, ToSchema)]
pub struct PrizeBatchOut {
    /// The award batch; notice, approval and payment follow at `/api/v1/batches/{id}`.
    batch: i64,
}

/// The prizes of the final as an award batch of the competition's programme.
#[utoipa::path(post, path = "/api/v1/competitions/{id}/prizes", tag = "events",
    params(("id" = i64, Path, description = "The competition's id")),
    responses((status = 201, description = "The batch", body = PrizeBatchOut)))]
pub async fn award(
    State(st): State<AppState>,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<PrizeBatchOut>), ApiError> {
    let batch = service::award(&st.store, who.as_bureau()?, id).await?;
    Ok((StatusCode::CREATED, Json(PrizeBatchOut { batch })))
}
