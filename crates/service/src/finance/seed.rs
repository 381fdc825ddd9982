//! The seed fund (三.20): funds, investments checked against the enterprise's founding date,
//! co-investors, exits, and the leverage of private over public capital.

use super::{field, number, positive_wan, scope, wan, FinanceInput, Officer, Scope};
use crate::auth::Principal;
use crate::clock::parse_day;
use crate::{Error, Missing};
use kechuang_domain::finance::{self as rules, FinanceProblem};
use kechuang_domain::money::{Fen, MoneyUnit};
use kechuang_domain::RegionCode;
use kechuang_store::{CoInvestor, InvestmentRecord, NewInvestment, SeedFundRecord, Store};
use serde::Serialize;

/// A seed fund as typed: amounts in 万元, the date as written.
pub struct FundInput<'a> {
    pub name: &'a str,
    pub committed: &'a str,
    pub paid_in: &'a str,
    pub established_on: &'a str,
    /// The oldest (whole years since founding) an enterprise may be; blank means 5.
    pub max_age_years: &'a str,
    pub manager: &'a str,
}

pub async fn add_seed_fund(
    store: &Store,
    who: &Officer<'_>,
    f: &FundInput<'_>,
) -> Result<i64, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[
        (&fields::PROVIDER_NAME, f.name),
        (&fields::PROVIDER_NAME, f.manager),
    ])?;
    if f.name.trim().is_empty() {
        return Err(field("name", FinanceInput::Required));
    }
    let committed = positive_wan("committed", f.committed)?;
    let paid_in = wan("paid_in", f.paid_in)?.unwrap_or(Fen::ZERO);
    if paid_in > committed {
        return Err(field("paid_in", FinanceInput::PaidInAboveCommitted));
    }
    let established = parse_day("established_on", f.established_on)?;
    let max_age = number("max_age_years", f.max_age_years)?
        .unwrap_or(5.0)
        .round() as i64;
    Ok(store
        .add_seed_fund(
            &SeedFundRecord {
                id: 0,
                name: f.name.trim().to_owned(),
                committed,
                paid_in,
                established_on: established.to_string(),
                max_age_years: max_age.max(1),
                manager: f.manager.trim().to_owned(),
            },
            &who.actor(),
        )
        .await?)
}

/// An investment as typed: co-investors as `名称:金额;名称:金额` (万元).
pub struct InvestmentInput<'a> {
    pub fund_id: i64,
    pub uscc: &'a str,
    pub amount: &'a str,
    pub invested_on: &'a str,
    pub follow_on: bool,
    pub co_investors: &'a str,
}

fn co_investors(raw: &str) -> Result<Vec<CoInvestor>, Error> {
    let bad = || {
        field(
            "co_investors",
            FinanceInput::CoInvestors {
                raw: raw.to_owned(),
            },
        )
    };
    raw.split([';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|part| {
            let (name, amount) = part.rsplit_once([':', '：']).ok_or_else(bad)?;
            let amount = Fen::parse_in(amount.trim(), MoneyUnit::Wan).map_err(|_| bad())?;
            if name.trim().is_empty() || amount.0 <= 0 {
                return Err(bad());
            }
            Ok(CoInvestor {
                name: name.trim().to_owned(),
                amount_fen: amount.0,
            })
        })
        .collect()
}

/// Records an investment, checking the enterprise's stage from its founding date.
pub async fn invest(
    store: &Store,
    who: &Officer<'_>,
    i: &InvestmentInput<'_>,
) -> Result<i64, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::NOTE, i.co_investors)])?;
    let fund = store
        .seed_funds()
        .await?
        .into_iter()
        .find(|f| f.id == i.fund_id)
        .ok_or_else(|| Error::not_found(FinanceInput::UnknownFund { id: i.fund_id }))?;
    let uscc = kechuang_domain::uscc::normalise(i.uscc);
    let e = store.enterprise(&uscc).await.map_err(|e| match e {
        kechuang_store::StoreError::NotFound(_) => {
            field("uscc", Missing::Enterprise { uscc: uscc.clone() })
        }
        other => other.into(),
    })?;
    let tree = store.region_tree().await?;
    let region = RegionCode::parse(&e.region_code).map_err(Error::internal)?;
    if !who.covers(&tree, &region) {
        return Err(field("uscc", Missing::Enterprise { uscc }));
    }
    let amount = positive_wan("amount", i.amount)?;
    let on = parse_day("invested_on", i.invested_on)?;
    let founded = e
        .registered_on
        .as_deref()
        .and_then(kechuang_domain::text::written_date)
        .ok_or_else(|| field("uscc", FinanceProblem::NoFounding { uscc: uscc.clone() }))?;
    let age =
        rules::check_stage(founded, on, fund.max_age_years).map_err(|p| field("invested_on", p))?;
    let co = co_investors(i.co_investors)?;
    Ok(store
        .add_investment(
            &NewInvestment {
                fund_id: fund.id,
                uscc: &uscc,
                name: &e.name,
                region_code: &e.region_code,
                round: if i.follow_on { "follow_on" } else { "initial" },
                invested_on: on,
                amount,
                age_years: age,
                co_investors: &co,
            },
            &who.actor(),
        )
        .await?)
}

pub async fn record_exit(
    store: &Store,
    who: &Officer<'_>,
    id: i64,
    on: &str,
    proceeds: &str,
) -> Result<(), Error> {
    let on = parse_day("exited_on", on)?;
    let proceeds = wan("proceeds", proceeds)?.unwrap_or(Fen::ZERO);
    let tree = store.region_tree().await?;
    let inside = store.investments().await?.into_iter().any(|i| {
        i.id == id && RegionCode::parse(&i.region_code).is_ok_and(|r| who.covers(&tree, &r))
    });
    if !inside {
        return Err(Error::not_found(Missing::OutOfScope));
    }
    Ok(store.record_exit(id, on, proceeds, &who.actor()).await?)
}

/// The seed funds with their investments and leverage (private ÷ public capital).
#[derive(Debug, Clone, Serialize)]
pub struct SeedView {
    pub funds: Vec<SeedFundRecord>,
    pub investments: Vec<InvestmentRecord>,
    pub public: Fen,
    pub private: Fen,
    pub leverage: f64,
    pub returns: Fen,
}

pub async fn seed(store: &Store, who: &Principal) -> Result<SeedView, Error> {
    let Scope::Regions(regions) = scope(store, who).await? else {
        return Err(Error::not_found(Missing::OutOfScope));
    };
    let mut investments = store.investments().await?;
    investments.retain(|i| regions.contains(&i.region_code));
    let public = Fen(investments.iter().map(|i| i.amount.0).sum());
    let private = Fen(investments.iter().map(|i| i.private.0).sum());
    let returns = Fen(investments
        .iter()
        .filter_map(|i| i.proceeds)
        .map(|p| p.0)
        .sum());
    Ok(SeedView {
        funds: store.seed_funds().await?,
        leverage: rules::leverage(private, public),
        investments,
        public,
        private,
        returns,
    })
}
