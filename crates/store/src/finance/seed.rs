//! The seed fund: funds, investments with their co-investors, exits.

use super::*;
use crate::audit::Actor;
use crate::{now_utc, Refusal, Result, Store, StoreError};
use chrono::NaiveDate;
use kechuang_domain::money::Fen;
use sqlx::Row;

impl Store {
    pub async fn add_seed_fund(&self, f: &SeedFundRecord, actor: &Actor) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO seed_funds (name, committed_fen, paid_in_fen, established_on, max_age_years, manager, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(f.name.trim())
        .bind(f.committed.0)
        .bind(f.paid_in.0)
        .bind(&f.established_on)
        .bind(f.max_age_years)
        .bind(f.manager.trim())
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            unique_as(
                e,
                kechuang_domain::finance::FinanceProblem::FundExists {
                    fund: f.name.trim().to_owned(),
                },
            )
        })?;
        append_new(
            &mut tx,
            actor,
            "seed_fund.add",
            "seed_fund",
            &id.to_string(),
            serde_json::to_value(f).unwrap_or_default(),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn seed_funds(&self) -> Result<Vec<SeedFundRecord>> {
        sqlx::query("SELECT * FROM seed_funds ORDER BY established_on, id")
            .fetch_all(&self.read)
            .await?
            .iter()
            .map(|r| {
                Ok(SeedFundRecord {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    committed: Fen(r.try_get("committed_fen")?),
                    paid_in: Fen(r.try_get("paid_in_fen")?),
                    established_on: r.try_get("established_on")?,
                    max_age_years: r.try_get("max_age_years")?,
                    manager: r.try_get("manager")?,
                })
            })
            .collect()
    }

    pub async fn add_investment(&self, i: &NewInvestment<'_>, actor: &Actor) -> Result<i64> {
        let private: i64 = i.co_investors.iter().map(|c| c.amount_fen).sum();
        let co = serde_json::to_string(i.co_investors)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO seed_investments (fund_id, uscc, name, region_code, round, invested_on, amount_fen, age_years, \
             co_investors, private_fen, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(i.fund_id)
        .bind(i.uscc)
        .bind(i.name)
        .bind(i.region_code)
        .bind(i.round)
        .bind(i.invested_on.to_string())
        .bind(i.amount.0)
        .bind(i.age_years)
        .bind(co)
        .bind(private)
        .bind(&actor.name)
        .bind(now_utc())
        .fetch_one(&mut *tx)
        .await?;
        append_new(
            &mut tx,
            actor,
            "seed_fund.invest",
            "seed_investment",
            &id.to_string(),
            serde_json::json!({"fund_id": i.fund_id, "uscc": i.uscc, "round": i.round, "amount_fen": i.amount.0, "private_fen": private}),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn record_exit(
        &self,
        id: i64,
        on: NaiveDate,
        proceeds: Fen,
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE seed_investments SET exited_on = $1, proceeds_fen = $2 WHERE id = $3 AND exited_on IS NULL AND invested_on <= $1",
        )
        .bind(on.to_string())
        .bind(proceeds.0)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::Refused(Refusal::ChangedMeanwhile));
        }
        append_new(
            &mut tx,
            actor,
            "seed_fund.exit",
            "seed_investment",
            &id.to_string(),
            serde_json::json!({"exited_on": on.to_string(), "proceeds_fen": proceeds.0}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn investments(&self) -> Result<Vec<InvestmentRecord>> {
        sqlx::query(
            "SELECT i.*, f.name AS fund_name FROM seed_investments i JOIN seed_funds f ON f.id = i.fund_id \
             ORDER BY i.invested_on DESC, i.id DESC",
        )
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            let co: String = r.try_get("co_investors")?;
            Ok(InvestmentRecord {
                id: r.try_get("id")?,
                fund_id: r.try_get("fund_id")?,
                fund: r.try_get("fund_name")?,
                uscc: r.try_get("uscc")?,
                name: r.try_get("name")?,
                region_code: r.try_get("region_code")?,
                round: r.try_get("round")?,
                invested_on: r.try_get("invested_on")?,
                amount: Fen(r.try_get("amount_fen")?),
                age_years: r.try_get("age_years")?,
                co_investors: serde_json::from_str(&co)
                    .map_err(|e| StoreError::Corrupt(format!("co-investors: {e}")))?,
                private: Fen(r.try_get("private_fen")?),
                exited_on: r.try_get("exited_on")?,
                proceeds: fen_opt(r, "proceeds_fen")?,
            })
        })
        .collect()
    }
}
