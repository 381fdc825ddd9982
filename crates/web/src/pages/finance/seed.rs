//! The seed fund page: funds, investments with co-investors, leverage and exits.

use super::super::{render, shown, Chrome, OrPage, PageError, Viewer};
use super::{region_name, wan};
use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use kechuang_domain::auth::Role;
use kechuang_domain::money::Fen;
use kechuang_service::finance::{self as service, Officer};
use serde::Deserialize;

struct FundRow {
    id: i64,
    name: String,
    committed: String,
    paid_in: String,
    established: String,
    max_age: i64,
    manager: String,
}

struct InvestmentRow {
    id: i64,
    fund: String,
    name: String,
    county: String,
    round: &'static str,
    on: String,
    amount: String,
    age: i64,
    private: String,
    co: String,
    exit: String,
}

#[derive(Template)]
#[template(path = "finance_seed.html")]
struct SeedPage {
    chrome: Chrome,
    csrf: String,
    error: String,
    bureau: bool,
    funds: Vec<FundRow>,
    investments: Vec<InvestmentRow>,
    public: String,
    private: String,
    leverage: String,
    returns: String,
    today: String,
}

async fn seed_page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    refused: Option<AppError>,
) -> Result<Response, PageError> {
    let (error, status) = shown(refused, v.lang);
    let lang = v.lang;
    let tr = lang.tr();
    let tree = st.store.region_tree().await.page(lang)?;
    let s = service::seed(&st.store, who).await.page(lang)?;
    let page = SeedPage {
        chrome: Chrome::new(v, "finance_seed", tr.fin_seed_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        error,
        bureau: who.role() == Role::Bureau,
        funds: s
            .funds
            .iter()
            .map(|f| FundRow {
                id: f.id,
                name: f.name.clone(),
                committed: wan(f.committed),
                paid_in: wan(f.paid_in),
                established: crate::format::day_text(&f.established_on, lang),
                max_age: f.max_age_years,
                manager: f.manager.clone(),
            })
            .collect(),
        investments: s
            .investments
            .iter()
            .map(|i| InvestmentRow {
                id: i.id,
                fund: i.fund.clone(),
                name: i.name.clone(),
                county: region_name(&tree, lang, &i.region_code),
                round: if i.round == "follow_on" {
                    tr.fin_follow_on
                } else {
                    tr.fin_initial
                },
                on: crate::format::day_text(&i.invested_on, lang),
                amount: wan(i.amount),
                age: i.age_years,
                private: wan(i.private),
                co: i
                    .co_investors
                    .iter()
                    .map(|c| format!("{} {}", c.name, wan(Fen(c.amount_fen))))
                    .collect::<Vec<_>>()
                    .join("；"),
                exit: match (&i.exited_on, i.proceeds) {
                    (Some(d), Some(p)) => {
                        format!("{} · {}", crate::format::day_text(d, lang), wan(p))
                    }
                    _ => String::new(),
                },
            })
            .collect(),
        public: wan(s.public),
        private: wan(s.private),
        leverage: crate::format::number(s.leverage),
        returns: wan(s.returns),
        today: crate::format::date(crate::format::today_in_china(), lang),
    };
    let mut res = render(&page, lang)?;
    *res.status_mut() = status;
    Ok(res)
}

pub async fn seed(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
) -> Result<Response, PageError> {
    seed_page(&st, &v, &who, &uri, None).await
}

#[derive(Deserialize)]
pub struct FundForm {
    name: String,
    committed: String,
    #[serde(default)]
    paid_in: String,
    established_on: String,
    #[serde(default)]
    max_age_years: String,
    #[serde(default)]
    manager: String,
}

pub async fn add_fund(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<FundForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    let fund = service::FundInput {
        name: &f.name,
        committed: &f.committed,
        paid_in: &f.paid_in,
        established_on: &f.established_on,
        max_age_years: &f.max_age_years,
        manager: &f.manager,
    };
    match service::add_seed_fund(&st.store, &officer, &fund).await {
        Ok(_) => Ok(Redirect::to("/finance/seed").into_response()),
        Err(e) => seed_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct InvestForm {
    fund_id: String,
    uscc: String,
    amount: String,
    invested_on: String,
    #[serde(default)]
    follow_on: Option<String>,
    #[serde(default)]
    co_investors: String,
}

pub async fn invest(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Form(f): Form<InvestForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    let input = service::InvestmentInput {
        fund_id: f.fund_id.trim().parse().unwrap_or(-1),
        uscc: &f.uscc,
        amount: &f.amount,
        invested_on: &f.invested_on,
        follow_on: f.follow_on.is_some(),
        co_investors: &f.co_investors,
    };
    match service::invest(&st.store, &officer, &input).await {
        Ok(_) => Ok(Redirect::to("/finance/seed").into_response()),
        Err(e) => seed_page(&st, &v, &who, &uri, Some(e)).await,
    }
}

#[derive(Deserialize)]
pub struct ExitForm {
    exited_on: String,
    #[serde(default)]
    proceeds: String,
}

/// An exit from an investment: its date and what it returned.
pub async fn exit(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ExitForm>,
) -> Result<Response, PageError> {
    let officer = Officer::Bureau(who.as_bureau().page(v.lang)?);
    match service::record_exit(&st.store, &officer, id, &f.exited_on, &f.proceeds).await {
        Ok(()) => Ok(Redirect::to("/finance/seed#investments").into_response()),
        Err(e) => seed_page(&st, &v, &who, &uri, Some(e)).await,
    }
}
