//! Off-site operating sites (异地经营场所): the enterprise registers its site in a county with
//! evidence; county and bureau officers see the sites in their area.

use super::{shown, Chrome, OrPage, PageError, Viewer};
use crate::auth::Caller;
use crate::error::AppError;
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use kechuang_domain::auth::Role;
use kechuang_domain::problem::FieldProblem;
use kechuang_service::offsite::{self as service, SiteInput};
use kechuang_service::Saved;
use serde::Deserialize;

struct SiteRow {
    id: i64,
    enterprise: String,
    uscc: String,
    registered_in: String,
    county: String,
    address: String,
    activity: String,
    updated: String,
    files: Vec<(i64, String, String)>,
}

#[derive(Template)]
#[template(path = "sites.html")]
struct SitesPage {
    chrome: Chrome,
    csrf: String,
    enterprise: bool,
    sites: Vec<SiteRow>,
    counties: Vec<(String, String)>,
    input: SiteInput,
    problems: Vec<(String, String)>,
    error: String,
    saved: bool,
}

impl SitesPage {
    fn problem(&self, field: &str) -> String {
        super::field_problem(&self.problems, field)
    }
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// What the page shows again after a refused save: the input and why.
type Refused = (Option<SiteInput>, Vec<(String, String)>, Option<AppError>);

async fn page(
    st: &AppState,
    v: &Viewer,
    who: &Caller,
    uri: &Uri,
    saved: bool,
    (typed, problems, error): Refused,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tree = st.store.region_tree().await.page(lang)?;
    let sites = service::visible_sites(&st.store, who).await.page(lang)?;
    // Registering another county's site: the enterprise's particulars are those it gave.
    let input = typed.unwrap_or_else(|| SiteInput {
        name: sites
            .first()
            .map(|s| s.enterprise.clone())
            .unwrap_or_default(),
        ..SiteInput::default()
    });
    let mut rows = Vec::with_capacity(sites.len());
    for s in sites {
        let files = st
            .store
            .site_files(s.id)
            .await
            .page(lang)?
            .into_iter()
            .map(|f| (f.id, f.file_name, crate::format::bytes(f.size)))
            .collect();
        let county = super::region_name(&tree, lang, &s.region_code);
        rows.push(SiteRow {
            id: s.id,
            registered_in: kechuang_domain::offsite::registered_in(&s.uscc, lang.is_en()),
            enterprise: s.enterprise,
            uscc: s.uscc,
            county,
            address: s.address,
            activity: s.activity,
            updated: crate::format::local_day(&s.updated_at),
            files,
        });
    }
    let counties = super::counties(&tree, lang);
    let (error, status) = shown(error, lang);
    let enterprise = who.role() == Role::Enterprise;
    let page = SitesPage {
        chrome: Chrome::new(v, "sites", lang.tr().os_title.into(), uri, None),
        csrf: who.csrf().to_owned(),
        enterprise,
        sites: rows,
        counties,
        input,
        problems,
        error,
        saved,
    };
    super::render_form(&page, lang, status, &page.problems)
}

pub async fn list(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(d): Query<Done>,
) -> Result<Response, PageError> {
    let saved = d.done.as_deref() == Some("saved");
    page(&st, &v, &who, &uri, saved, (None, Vec::new(), None)).await
}

/// The enterprise registers a site: the form's fields and its evidence files in one request.
pub async fn register(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let applicant = who.as_applicant().page(lang)?;
    let bad = super::frame::unreadable_form(lang);
    let mut input = SiteInput::default();
    let mut files = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "files" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(bad)?;
            files.push((file_name, bytes.to_vec()));
            continue;
        }
        let text = field.text().await.map_err(bad)?;
        match name.as_str() {
            "name" => input.name = text,
            "registered_on" => input.registered_on = text,
            "industry" => input.industry = text,
            "region" => input.region = text,
            "address" => input.address = text,
            "activity" => input.activity = text,
            _ => {}
        }
    }
    match service::register(&st.store, applicant, &input, files).await {
        Ok((Saved::Done, _)) => Ok(Redirect::to("/sites?done=saved").into_response()),
        Ok((Saved::Refused(p), _)) => {
            let p = FieldProblem::worded(&p, lang.into());
            page(&st, &v, &who, &uri, false, (Some(input), p, None)).await
        }
        Err(e) => {
            page(
                &st,
                &v,
                &who,
                &uri,
                false,
                (Some(input), Vec::new(), Some(e)),
            )
            .await
        }
    }
}

/// An evidence file, to the enterprise or an officer over the site's county.
pub async fn file(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (name, ctype, data) = service::file(&st.store, &who, id).await.page(v.lang)?;
    Ok(crate::format::served_file(&name, ctype, data))
}
