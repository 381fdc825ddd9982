//! Plans as data: their text, indicators and targets.

use crate::Absent;
use crate::{date_str, now_utc, parse_date, Result, Store, StoreError};
use chrono::NaiveDate;
use kechuang_domain::formula::Formula;
use kechuang_domain::indicator::{Aggregation, Indicator, IndicatorKind};
use kechuang_domain::plan::{Plan, Target, TargetKind};
use kechuang_domain::progress::{Comparator, Point};
use kechuang_domain::RegionCode;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanSummary {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub name_en: String,
    pub region_code: String,
    pub start_year: i32,
    pub end_year: i32,
    #[serde(skip)]
    pub preamble: String,
}

impl PlanSummary {
    pub fn start_date(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year, 1, 1).unwrap_or(NaiveDate::MIN)
    }
}

/// A section, group or measure of the plan text, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanItem {
    pub level: String,
    pub code: String,
    pub title: String,
    pub title_en: String,
    pub body: String,
}

impl Store {
    /// Writes a validated plan in one transaction: a plan with the same code is replaced
    /// (its text and targets), indicators are inserted or updated, observations are kept.
    pub async fn load_plan(&self, plan: &Plan, source: &str, actor: &str) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        for ind in &plan.indicators {
            upsert_indicator(&mut tx, ind).await?;
        }
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM plans WHERE code = $1")
            .bind(&plan.code)
            .fetch_optional(&mut *tx)
            .await?;
        let id =
            match existing {
                Some(id) => {
                    for sql in [
                        "DELETE FROM target_milestones WHERE plan_id = $1",
                        "DELETE FROM target_regions WHERE plan_id = $1",
                        "DELETE FROM targets WHERE plan_id = $1",
                        "DELETE FROM plan_items WHERE plan_id = $1",
                    ] {
                        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
                    }
                    sqlx::query(
                    "UPDATE plans SET name = $1, name_en = $2, region_code = $3, start_year = $4, \
                     end_year = $5, preamble = $6, source = $7, loaded_by = $8, loaded_at = $9 \
                     WHERE id = $10",
                )
                .bind(&plan.name)
                .bind(&plan.name_en)
                .bind(plan.region.as_str())
                .bind(i64::from(plan.start_year))
                .bind(i64::from(plan.end_year))
                .bind(&plan.preamble)
                .bind(source)
                .bind(actor)
                .bind(now_utc())
                .bind(id)
                .execute(&mut *tx)
                .await?;
                    id
                }
                None => sqlx::query_scalar(
                    "INSERT INTO plans (code, name, name_en, region_code, start_year, end_year, \
                     preamble, source, loaded_by, loaded_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(&plan.code)
                .bind(&plan.name)
                .bind(&plan.name_en)
                .bind(plan.region.as_str())
                .bind(i64::from(plan.start_year))
                .bind(i64::from(plan.end_year))
                .bind(&plan.preamble)
                .bind(source)
                .bind(actor)
                .bind(now_utc())
                .fetch_one(&mut *tx)
                .await?,
            };
        let mut pos = 0i64;
        let mut item =
            |level: &'static str, code: &str, title: &str, title_en: &str, body: &str| {
                pos += 1;
                (
                    pos,
                    level,
                    code.to_owned(),
                    title.to_owned(),
                    title_en.to_owned(),
                    body.to_owned(),
                )
            };
        let mut items = Vec::new();
        for s in &plan.sections {
            items.push(item("section", &s.code, &s.title, &s.title_en, &s.text));
            for g in &s.groups {
                if !g.title.is_empty() || !g.text.is_empty() {
                    items.push(item("group", "", &g.title, &g.title_en, &g.text));
                }
                for m in &g.measures {
                    items.push(item("measure", &m.code, &m.title, "", &m.text));
                }
            }
        }
        for (pos, level, code, title, title_en, body) in items {
            sqlx::query(
                "INSERT INTO plan_items (plan_id, position, level, code, title, title_en, body) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(pos)
            .bind(level)
            .bind(code)
            .bind(title)
            .bind(title_en)
            .bind(body)
            .execute(&mut *tx)
            .await?;
        }
        for (i, t) in plan.targets.iter().enumerate() {
            insert_target(&mut tx, id, i as i64, t).await?;
        }
        crate::programmes::upsert_programmes(&mut tx, id, &plan.programmes).await?;
        crate::supervision::replace_tasks(&mut tx, id, plan).await?;
        let revision = crate::supervision::add_revision(&mut tx, id, source, actor).await?;
        crate::audit::append(
            &mut tx,
            &crate::audit::AuditEntry {
                actor: &crate::audit::Actor::new(actor, "cli"),
                action: if existing.is_some() {
                    "plan.replace"
                } else {
                    "plan.load"
                },
                entity: "plan",
                entity_id: &plan.code,
                before: String::new(),
                after: serde_json::json!({
                    "source": source,
                    "targets": plan.targets.len(),
                    "indicators": plan.indicators.len(),
                    "programmes": plan.programmes.len(),
                    "tasks": plan.tasks().count(),
                    "revision": revision,
                })
                .to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn plans(&self) -> Result<Vec<PlanSummary>> {
        let rows = sqlx::query(
            "SELECT id, code, name, name_en, region_code, start_year, end_year, preamble \
             FROM plans ORDER BY id",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(plan_summary).collect()
    }

    pub async fn plan(&self, id: i64) -> Result<PlanSummary> {
        let row = sqlx::query(
            "SELECT id, code, name, name_en, region_code, start_year, end_year, preamble \
             FROM plans WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .ok_or_else(|| StoreError::NotFound(Absent::Plan { id }))?;
        plan_summary(&row)
    }

    pub async fn plan_items(&self, plan_id: i64) -> Result<Vec<PlanItem>> {
        let rows = sqlx::query(
            "SELECT level, code, title, title_en, body FROM plan_items \
             WHERE plan_id = $1 ORDER BY position",
        )
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PlanItem {
                    level: r.try_get("level")?,
                    code: r.try_get("code")?,
                    title: r.try_get("title")?,
                    title_en: r.try_get("title_en")?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    pub async fn targets(&self, plan_id: i64) -> Result<Vec<Target>> {
        let rows = sqlx::query(
            "SELECT code, measure_code, name, name_en, indicator_code, kind, comparator, \
             baseline_value, baseline_date, target_value, stretch_value, deadline, annual, note, \
             continues FROM targets WHERE plan_id = $1 ORDER BY position",
        )
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?;
        let milestones = sqlx::query(
            "SELECT target_code, date, value FROM target_milestones WHERE plan_id = $1 ORDER BY date",
        )
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?;
        let county = sqlx::query(
            "SELECT target_code, region_code, target_value FROM target_regions WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let code: String = r.try_get("code")?;
            let kind: String = r.try_get("kind")?;
            let cmp: String = r.try_get("comparator")?;
            let bv: Option<f64> = r.try_get("baseline_value")?;
            let bd: Option<String> = r.try_get("baseline_date")?;
            let baseline = match (bv, bd) {
                (Some(value), Some(d)) => Some(Point {
                    date: parse_date(&d)?,
                    value,
                }),
                _ => None,
            };
            let mut ms = Vec::new();
            for m in milestones.iter() {
                if m.try_get::<String, _>("target_code")? == code {
                    ms.push(Point {
                        date: parse_date(&m.try_get::<String, _>("date")?)?,
                        value: m.try_get("value")?,
                    });
                }
            }
            let mut ct = Vec::new();
            for c in county.iter() {
                if c.try_get::<String, _>("target_code")? == code {
                    let rc: String = c.try_get("region_code")?;
                    let rc =
                        RegionCode::parse(&rc).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    ct.push((rc, c.try_get("target_value")?));
                }
            }
            out.push(Target {
                measure: r.try_get("measure_code")?,
                name: r.try_get("name")?,
                name_en: r.try_get("name_en")?,
                indicator: r.try_get("indicator_code")?,
                kind: TargetKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("target kind '{kind}'")))?,
                comparator: Comparator::parse(&cmp)
                    .ok_or_else(|| StoreError::Corrupt(format!("comparator '{cmp}'")))?,
                baseline,
                target: r.try_get("target_value")?,
                stretch: r.try_get("stretch_value")?,
                deadline: parse_date(&r.try_get::<String, _>("deadline")?)?,
                annual: r.try_get::<i64, _>("annual")? != 0,
                milestones: ms,
                county_targets: ct,
                note: r.try_get("note")?,
                continues: r.try_get("continues")?,
                code,
            });
        }
        Ok(out)
    }

    /// Every indicator, keyed by code.
    pub async fn indicators_by_code(&self) -> Result<std::collections::HashMap<String, Indicator>> {
        Ok(self
            .indicators()
            .await?
            .into_iter()
            .map(|i| (i.code.clone(), i))
            .collect())
    }

    pub async fn indicators(&self) -> Result<Vec<Indicator>> {
        let rows = sqlx::query(
            "SELECT code, name, name_en, unit, description, kind, aggregation, formula, count_spec \
             FROM indicators ORDER BY code",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(indicator_from_row).collect()
    }
}

fn plan_summary(r: &AnyRow) -> Result<PlanSummary> {
    Ok(PlanSummary {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        name_en: r.try_get("name_en")?,
        region_code: r.try_get("region_code")?,
        start_year: r.try_get::<i64, _>("start_year")? as i32,
        end_year: r.try_get::<i64, _>("end_year")? as i32,
        preamble: r.try_get("preamble")?,
    })
}

fn indicator_from_row(r: &AnyRow) -> Result<Indicator> {
    let code: String = r.try_get("code")?;
    let kind: String = r.try_get("kind")?;
    let bad = |what: &str| StoreError::Corrupt(format!("indicator {code}: {what}"));
    let kind = match kind.as_str() {
        "manual" => {
            let a: String = r.try_get("aggregation")?;
            IndicatorKind::Manual {
                aggregation: Aggregation::parse(&a).ok_or_else(|| bad("aggregation"))?,
            }
        }
        "formula" => {
            let f: Option<String> = r.try_get("formula")?;
            let f = f.ok_or_else(|| bad("formula missing"))?;
            IndicatorKind::Formula(Formula::parse(&f).map_err(|e| bad(&e.to_string()))?)
        }
        "registry_count" => {
            let c: Option<String> = r.try_get("count_spec")?;
            let c = c.ok_or_else(|| bad("count_spec missing"))?;
            IndicatorKind::RegistryCount(serde_json::from_str(&c).map_err(|e| bad(&e.to_string()))?)
        }
        "ledger" => {
            let c: Option<String> = r.try_get("count_spec")?;
            let c = c.ok_or_else(|| bad("ledger spec missing"))?;
            IndicatorKind::Ledger(serde_json::from_str(&c).map_err(|e| bad(&e.to_string()))?)
        }
        "records" => {
            let c: Option<String> = r.try_get("count_spec")?;
            let c = c.ok_or_else(|| bad("finance measure missing"))?;
            IndicatorKind::Records(
                kechuang_domain::indicator::RecordMeasure::parse(&c)
                    .ok_or_else(|| bad("finance measure"))?,
            )
        }
        _ => return Err(bad("kind")),
    };
    Ok(Indicator {
        name: r.try_get("name")?,
        name_en: r.try_get("name_en")?,
        unit: r.try_get("unit")?,
        description: r.try_get("description")?,
        kind,
        code,
    })
}

async fn upsert_indicator(tx: &mut Transaction<'static, Any>, ind: &Indicator) -> Result<()> {
    let (formula, count) = match &ind.kind {
        IndicatorKind::Formula(f) => (Some(f.text().to_owned()), None),
        IndicatorKind::RegistryCount(c) => (
            None,
            Some(serde_json::to_string(c).map_err(|e| StoreError::Corrupt(e.to_string()))?),
        ),
        // Ledger filters share the column with count filters: both are JSON filters.
        IndicatorKind::Ledger(l) => (
            None,
            Some(serde_json::to_string(l).map_err(|e| StoreError::Corrupt(e.to_string()))?),
        ),
        // A finance indicator's measure is its filter, by code.
        IndicatorKind::Records(m) => (None, Some(m.code().to_owned())),
        IndicatorKind::Manual { .. } => (None, None),
    };
    sqlx::query(
        "INSERT INTO indicators (code, name, name_en, unit, description, kind, aggregation, formula, count_spec) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, \
         unit = excluded.unit, description = excluded.description, kind = excluded.kind, \
         aggregation = excluded.aggregation, formula = excluded.formula, count_spec = excluded.count_spec",
    )
    .bind(&ind.code)
    .bind(&ind.name)
    .bind(&ind.name_en)
    .bind(&ind.unit)
    .bind(&ind.description)
    .bind(ind.kind.as_str())
    .bind(ind.aggregation().as_str())
    .bind(formula)
    .bind(count)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_target(
    tx: &mut Transaction<'static, Any>,
    plan_id: i64,
    pos: i64,
    t: &Target,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO targets (plan_id, code, position, measure_code, name, name_en, indicator_code, \
         kind, comparator, baseline_value, baseline_date, target_value, stretch_value, deadline, annual, note, continues) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
    )
    // sqlx 0.8's Any driver sends a NULL f64 to PostgreSQL typed as float4; a cached statement
    // would then keep that type and reject the next row's real f64. Preparing it afresh each
    // time lets every execution declare its own parameter types.
    .persistent(false)
    .bind(plan_id)
    .bind(&t.code)
    .bind(pos)
    .bind(t.measure.clone())
    .bind(&t.name)
    .bind(&t.name_en)
    .bind(&t.indicator)
    .bind(t.kind.as_str())
    .bind(t.comparator.as_str())
    .bind(t.baseline.map(|b| b.value))
    .bind(t.baseline.map(|b| date_str(b.date)))
    .bind(t.target)
    .bind(t.stretch)
    .bind(date_str(t.deadline))
    .bind(i64::from(t.annual))
    .bind(&t.note)
    .bind(t.continues.clone())
    .execute(&mut **tx)
    .await?;
    for m in &t.milestones {
        sqlx::query("INSERT INTO target_milestones (plan_id, target_code, date, value) VALUES ($1, $2, $3, $4)")
            .bind(plan_id)
            .bind(&t.code)
            .bind(date_str(m.date))
            .bind(m.value)
            .execute(&mut **tx)
            .await?;
    }
    for (region, value) in &t.county_targets {
        sqlx::query("INSERT INTO target_regions (plan_id, target_code, region_code, target_value) VALUES ($1, $2, $3, $4)")
            .bind(plan_id)
            .bind(&t.code)
            .bind(region.as_str())
            .bind(*value)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
