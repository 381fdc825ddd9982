//! Registry pages: the enterprise and platform lists (filter bar over a table, sortable,
//! paginated) and a page for each enterprise and platform.

use super::{
    choices, pager, record_export, region_names, render, sheet_download, Choice, Chrome, OrPage,
    PageError, Pager, SheetFormat, Viewer,
};
use crate::api::{EnterpriseQuery, PlatformQuery};
use crate::auth::Caller;
use crate::format::{self, urlencode};
use crate::i18n::Lang;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::Response;
use chrono::NaiveDate;
use kechuang_domain::programme::AwardStatus;
use kechuang_domain::registry::{valid_at, CertificateKind, Level, HITECH_FIELDS};
use kechuang_service::progress as service;
use std::collections::HashMap;

pub struct EnterpriseLine {
    pub uscc: String,
    pub name: String,
    pub region: String,
    pub field: String,
    pub registered_on: String,
    pub hte_until: String,
    pub above_scale: bool,
}

pub struct SortLink {
    pub label: &'static str,
    pub href: String,
    pub mark: &'static str,
}

#[derive(Template)]
#[template(path = "enterprises.html")]
pub struct EnterprisesPage {
    pub chrome: Chrome,
    pub regions: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub fields: Vec<Choice>,
    pub q: String,
    pub as_of: String,
    pub sort: String,
    pub heads: Vec<SortLink>,
    pub rows: Vec<EnterpriseLine>,
    pub pager: Pager,
    /// The current filters as a query string, for the export links.
    pub filters: String,
}

pub async fn enterprises(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let as_of = service::parse_as_of(q.as_of.as_deref()).page(lang)?;
    let filter = q.filter(&st, &who).await.page(lang)?;
    let page = st.store.enterprises_page(&filter, as_of).await.page(lang)?;
    let (names, region_options) = region_names(&st, lang).await?;
    let kind_label = |k: CertificateKind| lang.pick(k.name(), k.name_en()).to_owned();
    let mut statuses = vec![("hte".to_owned(), kind_label(CertificateKind::Hte))];
    statuses.extend(
        [
            CertificateKind::HtePool,
            CertificateKind::TechSme,
            CertificateKind::HitechProduct,
        ]
        .iter()
        .map(|k| (k.code().to_owned(), kind_label(*k))),
    );
    statuses.push(("none".into(), tr.status_none.into()));
    let params = |sort: &str| {
        vec![
            ("region", q.region.clone().unwrap_or_default()),
            ("status", q.status.clone().unwrap_or_default()),
            ("field", q.field.clone().unwrap_or_default()),
            ("q", q.q.clone().unwrap_or_default()),
            ("as_of", q.as_of.clone().unwrap_or_default()),
            ("sort", sort.to_owned()),
        ]
    };
    let sort = q.sort.clone().unwrap_or_else(|| "name".into());
    let heads = [
        ("name", tr.enterprise_name),
        ("region", tr.region),
        ("registered_on", tr.registered_on),
        ("hte_until", tr.hte_until),
    ]
    .into_iter()
    .map(|(key, label)| {
        let (next, mark) = if sort == key {
            (format!("-{key}"), "▲")
        } else if sort == format!("-{key}") {
            (key.to_owned(), "▼")
        } else {
            (key.to_owned(), "")
        };
        let p = params(&next);
        let query: Vec<String> = p
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        SortLink {
            label,
            href: format!("/enterprises?{}", query.join("&")),
            mark,
        }
    })
    .collect();
    let rows = page
        .items
        .into_iter()
        .map(|i| EnterpriseLine {
            region: names
                .get(&i.enterprise.region_code)
                .cloned()
                .unwrap_or_default(),
            hte_until: i.hte_valid_until.unwrap_or_default(),
            uscc: i.enterprise.uscc,
            name: i.enterprise.name,
            field: i.enterprise.hitech_field,
            registered_on: i.enterprise.registered_on.unwrap_or_default(),
            above_scale: i.enterprise.above_scale,
        })
        .collect();
    let view = EnterprisesPage {
        chrome: Chrome::new(&v, "enterprises", tr.nav_enterprises.into(), &uri, None),
        regions: choices(region_options, q.region.as_deref()),
        statuses: choices(statuses, q.status.as_deref()),
        fields: choices(
            HITECH_FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), (*f).to_owned()))
                .collect(),
            q.field.as_deref(),
        ),
        q: q.q.clone().unwrap_or_default(),
        as_of: as_of.format("%Y-%m-%d").to_string(),
        filters: params(&sort)
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&"),
        pager: pager(
            "/enterprises",
            &params(&sort),
            page.total,
            page.page,
            page.per_page,
        )
        .sizable(),
        sort,
        heads,
        rows,
    };
    render(&view, lang)
}

pub struct CertificateLine {
    pub kind: &'static str,
    pub number: String,
    pub title: String,
    pub issued_on: String,
    pub expires_on: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub renewal: bool,
}

pub struct PlatformLine {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub level: &'static str,
    pub region: String,
    pub recognised_on: String,
    pub document_no: String,
    pub host: String,
    pub host_href: Option<String>,
    pub state: &'static str,
    pub state_class: &'static str,
}

pub struct Event {
    pub date: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "enterprise.html")]
pub struct EnterprisePage {
    pub chrome: Chrome,
    pub name: String,
    pub uscc: String,
    pub facts: Vec<(&'static str, String)>,
    pub certificates: Vec<CertificateLine>,
    pub platforms: Vec<PlatformLine>,
    pub patents: Vec<super::patents::PatentLine>,
    pub years: Vec<Vec<String>>,
    pub awards: Vec<AwardLine>,
    pub timeline: Vec<Event>,
    /// Events it registered for: (event id, title, kind, dates, seat, attended).
    pub attendance: Vec<(i64, String, &'static str, String, &'static str, bool)>,
    /// Competition entries: entry id, competition, project, track, status, prize.
    pub entries: Vec<(i64, String, String, &'static str, &'static str, String)>,
}

/// Money the enterprise received or is proposed for, from the programmes' awards.
pub struct AwardLine {
    pub year: i32,
    pub programme: String,
    pub basis: String,
    pub amount: String,
    pub status: &'static str,
}

fn parse(d: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

fn state(
    lang: Lang,
    from: &str,
    until: Option<&str>,
    revoked: Option<&str>,
    today: NaiveDate,
) -> (&'static str, &'static str) {
    let tr = lang.tr();
    match (parse(from), until.and_then(parse), revoked.and_then(parse)) {
        (_, _, Some(r)) if r <= today => (tr.state_revoked, "behind"),
        (Some(f), u, r) if valid_at(f, u, r, today) => (tr.state_valid, "achieved"),
        (Some(f), _, _) if f > today => (tr.state_pending, "no_data"),
        _ => (tr.state_expired, "no_data"),
    }
}

pub(super) async fn kind_names(
    st: &AppState,
    lang: Lang,
) -> Result<HashMap<String, String>, PageError> {
    Ok(st
        .store
        .platform_kinds()
        .await
        .page(lang)?
        .into_iter()
        .map(|(code, zh, en)| (code, lang.pick(&zh, &en).to_owned()))
        .collect())
}

fn platform_line(
    p: kechuang_store::PlatformItem,
    lang: Lang,
    kinds: &HashMap<String, String>,
    regions: &HashMap<String, String>,
    today: NaiveDate,
) -> PlatformLine {
    let (state, state_class) = state(
        lang,
        &p.platform.recognised_on,
        None,
        p.platform.revoked_on.as_deref(),
        today,
    );
    PlatformLine {
        id: p.id,
        kind: kinds
            .get(&p.platform.kind)
            .cloned()
            .unwrap_or_else(|| p.platform.kind.clone()),
        level: Level::parse(&p.platform.level)
            .map(|l| lang.pick(l.name(), l.name_en()))
            .unwrap_or(""),
        region: regions
            .get(&p.platform.region_code)
            .cloned()
            .unwrap_or_default(),
        host_href: p
            .platform
            .host_uscc
            .as_ref()
            .map(|u| format!("/enterprises/{u}")),
        name: p.platform.name,
        recognised_on: p.platform.recognised_on,
        document_no: p.platform.document_no,
        host: p.platform.host_name,
        state,
        state_class,
    }
}

pub async fn enterprise(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(uscc): Path<String>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let today = format::today_in_china();
    let d = kechuang_service::registries::enterprise_detail(&st.store, &who, &uscc)
        .await
        .page(lang)?;
    let (regions, _) = region_names(&st, lang).await?;
    let kinds = kind_names(&st, lang).await?;
    let e = &d.enterprise;
    let yes_no = |b: bool| if b { tr.yes } else { tr.no };
    let facts = vec![
        (
            tr.region,
            regions.get(&e.region_code).cloned().unwrap_or_default(),
        ),
        (tr.address, e.address.clone()),
        (tr.industry, e.industry.clone()),
        (
            tr.registered_on,
            e.registered_on.clone().unwrap_or_default(),
        ),
        (tr.size, e.size.clone()),
        (tr.above_scale, yes_no(e.above_scale).into()),
        (tr.hitech_field, e.hitech_field.clone()),
        (tr.contact, e.contact.clone()),
    ];
    let mut timeline = Vec::new();
    if let Some(r) = &e.registered_on {
        timeline.push(Event {
            date: r.clone(),
            text: tr.event_registered.into(),
        });
    }
    let mut seen_kinds: Vec<String> = Vec::new();
    let certificates = d
        .certificates
        .iter()
        .map(|c| {
            let c = &c.certificate;
            let kind = CertificateKind::parse(&c.kind)
                .map(|k| lang.pick(k.name(), k.name_en()))
                .unwrap_or("");
            let renewal = seen_kinds.contains(&c.kind);
            seen_kinds.push(c.kind.clone());
            timeline.push(Event {
                date: c.issued_on.clone(),
                text: format!(
                    "{}{} {}",
                    if renewal {
                        tr.event_renewed
                    } else {
                        tr.event_obtained
                    },
                    kind,
                    c.number
                ),
            });
            if let Some(x) = &c.expires_on {
                timeline.push(Event {
                    date: x.clone(),
                    text: format!("{} {} {}", kind, c.number, tr.event_expires),
                });
            }
            let (state, state_class) = state(
                lang,
                &c.issued_on,
                c.expires_on.as_deref(),
                c.revoked_on.as_deref(),
                today,
            );
            CertificateLine {
                kind,
                number: c.number.clone(),
                title: c.title.clone(),
                issued_on: c.issued_on.clone(),
                expires_on: c.expires_on.clone().unwrap_or_default(),
                state,
                state_class,
                renewal,
            }
        })
        .collect();
    let platforms: Vec<PlatformLine> = d
        .platforms
        .into_iter()
        .map(|p| platform_line(p, lang, &kinds, &regions, today))
        .collect();
    for p in &platforms {
        timeline.push(Event {
            date: p.recognised_on.clone(),
            text: format!("{}：{}（{}{}）", tr.event_platform, p.name, p.level, p.kind),
        });
    }
    let patents: Vec<super::patents::PatentLine> = d
        .patents
        .into_iter()
        .map(|p| super::patents::line(p, lang, &regions, today))
        .collect();
    let names: std::collections::HashMap<String, String> = st
        .store
        .programmes()
        .await
        .page(lang)?
        .into_iter()
        .map(|p| (p.code.clone(), lang.pick(&p.name, &p.name_en).to_owned()))
        .collect();
    let awards: Vec<AwardLine> = st
        .store
        .enterprise_awards(&e.uscc)
        .await
        .page(lang)?
        .into_iter()
        .map(|a| {
            let programme = names
                .get(&a.programme_code)
                .cloned()
                .unwrap_or(a.programme_code);
            if a.status == AwardStatus::Paid {
                timeline.push(Event {
                    date: a.event_on.clone(),
                    text: format!(
                        "{}：{} {} 元",
                        tr.awards_received,
                        programme,
                        a.amount.yuan_text()
                    ),
                });
            }
            AwardLine {
                year: a.year,
                programme,
                basis: a.basis,
                amount: a.amount.yuan_text(),
                status: super::programmes::award_status(a.status, tr),
            }
        })
        .collect();
    timeline.sort_by(|a, b| a.date.cmp(&b.date));
    let num = |v: Option<f64>| v.map(format::number).unwrap_or_else(|| "—".into());
    let int = |v: Option<i64>| {
        v.map(|x| format::number(x as f64))
            .unwrap_or_else(|| "—".into())
    };
    let years = d
        .facts
        .iter()
        .rev()
        .map(|f| {
            vec![
                f.year.to_string(),
                num(f.revenue),
                num(f.rd_expenditure),
                int(f.employees),
                int(f.st_staff),
                int(f.invention_patents),
                num(f.hitech_product_revenue),
                f.has_rd_institution
                    .map(|b| yes_no(b).to_owned())
                    .unwrap_or_else(|| "—".into()),
            ]
        })
        .collect();
    let attendance = kechuang_service::events::attendance(&st.store, &e.uscc)
        .await
        .page(lang)?
        .into_iter()
        .map(|(ev, r)| {
            let line = super::events::line(&ev, lang);
            (
                ev.id,
                ev.title,
                line.kind,
                line.dates,
                if lang.is_en() {
                    r.seat.name_en()
                } else {
                    r.seat.name_zh()
                },
                r.checked_in_at.is_some(),
            )
        })
        .collect();
    let titles: std::collections::HashMap<i64, String> =
        kechuang_service::competitions::list(&st.store)
            .await
            .page(lang)?
            .into_iter()
            .map(|c| (c.id, c.title))
            .collect();
    let entries = kechuang_service::competitions::entries_of(&st.store, &e.uscc)
        .await
        .page(lang)?
        .into_iter()
        .map(|x| {
            let en = lang.is_en();
            (
                x.id,
                titles.get(&x.competition_id).cloned().unwrap_or_default(),
                x.title,
                if en {
                    x.track.name_en()
                } else {
                    x.track.name_zh()
                },
                if en {
                    x.status.name_en()
                } else {
                    x.status.name_zh()
                },
                x.prize.unwrap_or_default(),
            )
        })
        .collect();
    let page = EnterprisePage {
        attendance,
        entries,
        chrome: Chrome::new(&v, "enterprises", e.name.clone(), &uri, None),
        name: e.name.clone(),
        uscc: e.uscc.clone(),
        facts,
        certificates,
        platforms,
        patents,
        years,
        awards,
        timeline,
    };
    render(&page, lang)
}

#[derive(Template)]
#[template(path = "platforms.html")]
pub struct PlatformsPage {
    pub chrome: Chrome,
    pub regions: Vec<Choice>,
    pub kinds: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub q: String,
    pub rows: Vec<PlatformLine>,
    pub pager: Pager,
    /// The filters as a query, for the export links.
    pub filters: String,
}

pub async fn platforms(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Query(q): Query<PlatformQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let tr = lang.tr();
    let today = format::today_in_china();
    let filter = q.filter(&st, &who).await.page(lang)?;
    let page = st.store.platforms_page(&filter).await.page(lang)?;
    let (regions, region_options) = region_names(&st, lang).await?;
    let kinds = kind_names(&st, lang).await?;
    let mut kind_options: Vec<(String, String)> =
        kinds.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    kind_options.sort_by(|a, b| a.1.cmp(&b.1));
    let params = vec![
        ("region", q.region.clone().unwrap_or_default()),
        ("kind", q.kind.clone().unwrap_or_default()),
        ("level", q.level.clone().unwrap_or_default()),
        ("q", q.q.clone().unwrap_or_default()),
    ];
    let view = PlatformsPage {
        chrome: Chrome::new(&v, "platforms", tr.nav_platforms.into(), &uri, None),
        regions: choices(region_options, q.region.as_deref()),
        kinds: choices(kind_options, q.kind.as_deref()),
        levels: choices(
            [Level::National, Level::Provincial, Level::City]
                .iter()
                .map(|l| {
                    (
                        l.code().to_owned(),
                        lang.pick(l.name(), l.name_en()).to_owned(),
                    )
                })
                .collect(),
            q.level.as_deref(),
        ),
        q: q.q.clone().unwrap_or_default(),
        pager: pager("/platforms", &params, page.total, page.page, page.per_page).sizable(),
        filters: params
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&"),
        rows: page
            .items
            .into_iter()
            .map(|p| platform_line(p, lang, &kinds, &regions, today))
            .collect(),
    };
    render(&view, lang)
}

#[derive(Template)]
#[template(path = "platform.html")]
pub struct PlatformPage {
    pub chrome: Chrome,
    pub p: PlatformLine,
}

pub async fn platform(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    uri: Uri,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let today = format::today_in_china();
    let item = st.store.platform(id).await.page(lang)?;
    // A platform outside the caller's region is "not found", as if it did not exist.
    let tree = st.store.region_tree().await.page(lang)?;
    let inside = kechuang_domain::RegionCode::parse(&item.platform.region_code)
        .is_ok_and(|r| who.scope().covers_region(&tree, &r));
    if !inside {
        return Err(PageError(
            crate::error::AppError::not_found(crate::error::Absent::Platform { id }),
            lang,
        ));
    }
    let (regions, _) = region_names(&st, lang).await?;
    let kinds = kind_names(&st, lang).await?;
    let p = platform_line(item, lang, &kinds, &regions, today);
    let page = PlatformPage {
        chrome: Chrome::new(&v, "platforms", p.name.clone(), &uri, None),
        p,
    };
    render(&page, lang)
}

/// The filtered enterprise list as a workbook (`.xlsx`) or CSV, every matching row, in the
/// format `kechuang import enterprises` reads.
/// The filtered platform list as XLSX or CSV, in the columns the importer reads.
pub async fn platforms_export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(format): Path<String>,
    Query(q): Query<PlatformQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let sheet = SheetFormat::of(&format, "platforms", lang)?;
    let mut filter = q.filter(&st, &who).await.page(lang)?;
    filter.per_page = 500;
    let kinds = kind_names(&st, Lang::Zh).await?;
    let kind_name = |k: &str| kinds.get(k).cloned().unwrap_or_else(|| k.to_owned());
    let mut rows = Vec::new();
    for page in 1.. {
        filter.page = page;
        let p = st.store.platforms_page(&filter).await.page(lang)?;
        rows.extend(
            p.items
                .iter()
                .map(|i| kechuang_ingest::registries::platform_line(&i.platform, &kind_name)),
        );
        if i64::from(page) * i64::from(p.per_page) >= p.total {
            break;
        }
    }
    let table = kechuang_ingest::export::Table {
        sheet: "创新平台",
        headers: &kechuang_ingest::registries::PLATFORM_HEADERS,
        rows,
        numeric: &[],
    };
    sheet_download(&table, sheet, &format!("platforms.{}", sheet.ext()), lang)
}

pub async fn enterprises_export(
    State(st): State<AppState>,
    v: Viewer,
    who: Caller,
    Path(format): Path<String>,
    Query(q): Query<EnterpriseQuery>,
) -> Result<Response, PageError> {
    let lang = v.lang;
    let sheet = SheetFormat::of(&format, "enterprises", lang)?;
    let as_of = service::parse_as_of(q.as_of.as_deref()).page(lang)?;
    let mut filter = q.filter(&st, &who).await.page(lang)?;
    filter.per_page = 500;
    let mut rows = Vec::new();
    for page in 1.. {
        filter.page = page;
        let p = st.store.enterprises_page(&filter, as_of).await.page(lang)?;
        rows.extend(
            p.items
                .iter()
                .map(|i| kechuang_ingest::registries::enterprise_line(&i.enterprise)),
        );
        if i64::from(page) * i64::from(p.per_page) >= p.total {
            break;
        }
    }
    let table = kechuang_ingest::export::Table {
        sheet: "企业",
        headers: &kechuang_ingest::registries::ENTERPRISE_HEADERS,
        rows,
        numeric: &[],
    };
    // The list holds contact persons: exporting personal data is audited.
    record_export(&st, &who, &format, table.rows.len(), lang).await?;
    let filename = format!("enterprises-{}.{}", as_of.format("%Y%m%d"), sheet.ext());
    sheet_download(&table, sheet, &filename, lang)
}
