//! Off-site applicants (异地申报, plan §三(八)25): an enterprise registered outside the city
//! registers its operating site in a county, with evidence; calls the bureau marks open to
//! off-site applicants take its applications, and the site's county reviews them.

use crate::auth::{AsApplicant, Principal};
use crate::{Error, Saved};
use kechuang_domain::auth::DataScope;
use kechuang_domain::offsite::{is_offsite, SiteProblem};
use kechuang_domain::problem::FieldProblem;
use kechuang_domain::region::RegionKind;
use kechuang_domain::uscc::Uscc;
use kechuang_domain::RegionCode;
use kechuang_store::{Absent, NewSite, SiteFile, SiteRecord, Store, StoreError};

/// A site as the enterprise types it.
#[derive(Debug, Clone, Default)]
pub struct SiteInput {
    /// The enterprise's registered name.
    pub name: String,
    /// Its date of establishment, in any written style; may be blank.
    pub registered_on: String,
    pub industry: String,
    /// The county: its code or its name.
    pub region: String,
    pub address: String,
    pub activity: String,
}

const MAX_FILES: usize = 10;
const MAX_BYTES: usize = 20 * 1024 * 1024;

/// The enterprise registers a site (or updates the one it has in that county) with evidence
/// files: `(name, bytes)`. Every field and file is checked first; with any problem nothing is
/// saved. A site needs evidence before the enterprise applies through it.
pub async fn register(
    store: &Store,
    who: AsApplicant<'_>,
    input: &SiteInput,
    files: Vec<(String, Vec<u8>)>,
) -> Result<(Saved, Option<i64>), Error> {
    use kechuang_domain::text::fields;
    let DataScope::Enterprise(uscc) = who.scope() else {
        return Err(Error::forbidden(crate::auth::RoleRequired::Applicant));
    };
    crate::within_limits(&[
        (&fields::ORGANISATION, input.name.as_str()),
        (&fields::ORGANISATION, input.industry.as_str()),
        (&fields::ORGANISATION, input.address.as_str()),
        (&fields::DESCRIPTION, input.activity.as_str()),
    ])?;
    let mut problems = Vec::new();
    for (key, value, zh) in [
        ("name", &input.name, "企业名称"),
        ("address", &input.address, "经营场所地址"),
        ("activity", &input.activity, "在本市开展的业务"),
    ] {
        if value.trim().is_empty() {
            problems.push(FieldProblem::new(
                key,
                SiteProblem::Required {
                    field: zh.to_owned(),
                },
            ));
        }
    }
    let registered_on = match input.registered_on.trim() {
        "" => None,
        raw => match kechuang_domain::text::written_date(raw) {
            Some(d) => Some(d.to_string()),
            None => {
                problems.push(FieldProblem::new(
                    "registered_on",
                    crate::clock::DateProblem::NotADate {
                        field: "registered_on",
                        raw: raw.to_owned(),
                    },
                ));
                None
            }
        },
    };
    let tree = store.region_tree().await?;
    let county = county_of(&tree, &input.region);
    match &county {
        None => problems.push(FieldProblem::new(
            "region",
            SiteProblem::NotACounty {
                code: input.region.trim().to_owned(),
            },
        )),
        Some(c) => {
            // The account's code must be a valid one (check characters included): it is all
            // that says where the enterprise is registered.
            let code = Uscc::parse(uscc).map_err(Error::invalid)?;
            if !is_offsite(&code, c) {
                problems.push(FieldProblem::new(
                    "region",
                    SiteProblem::NotOffsite {
                        region: tree
                            .get(c)
                            .map_or_else(|| c.to_string(), |r| r.name.clone()),
                    },
                ));
            }
        }
    }
    let existing = match &county {
        Some(c) => store
            .sites(Some(uscc), None)
            .await?
            .into_iter()
            .find(|s| s.region_code == c.as_str()),
        None => None,
    };
    let checked = check_files(
        files,
        existing.as_ref().map_or(0, |s| s.files as usize),
        &mut problems,
    )?;
    let Some(county) = county.filter(|_| problems.is_empty()) else {
        return Ok((Saved::Refused(problems), None));
    };
    let site = NewSite {
        uscc: uscc.clone(),
        name: input.name.trim().to_owned(),
        registered_on,
        industry: input.industry.trim().to_owned(),
        region_code: county.to_string(),
        address: input.address.trim().to_owned(),
        activity: input.activity.trim().to_owned(),
    };
    let id = store.put_site(&site, &checked, &who.actor()).await?;
    Ok((Saved::Done, Some(id)))
}

/// Evidence files checked by name, type and size, given how many the site holds already.
fn check_files(
    files: Vec<(String, Vec<u8>)>,
    had: usize,
    problems: &mut Vec<FieldProblem>,
) -> Result<Vec<(String, String, Vec<u8>)>, Error> {
    let mut checked = Vec::new();
    for (name, bytes) in files {
        let name = name.trim().to_owned();
        if name.is_empty() && bytes.is_empty() {
            continue;
        }
        kechuang_domain::text::fields::FILE_NAME
            .check(&name)
            .map_err(Error::invalid)?;
        let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
        if !ext
            .as_deref()
            .is_some_and(|e| crate::portal::FILE_TYPES.contains(&e))
        {
            problems.push(FieldProblem::new("files", SiteProblem::FileType { name }));
        } else if bytes.len() > MAX_BYTES {
            problems.push(FieldProblem::new(
                "files",
                SiteProblem::FileTooLarge { name },
            ));
        } else {
            let ctype = crate::portal::served_type(&name).to_owned();
            checked.push((name, ctype, bytes));
        }
    }
    if had + checked.len() > MAX_FILES {
        problems.push(FieldProblem::new("files", SiteProblem::TooManyFiles));
    }
    Ok(checked)
}

/// The enterprise adds an evidence file to one of its sites.
pub async fn add_file(
    store: &Store,
    who: AsApplicant<'_>,
    id: i64,
    (name, bytes): (String, Vec<u8>),
) -> Result<Saved, Error> {
    let (s, _) = site(store, &who, id).await?;
    let mut problems = Vec::new();
    let checked = check_files(vec![(name, bytes)], s.files as usize, &mut problems)?;
    if !problems.is_empty() {
        return Ok(Saved::Refused(problems));
    }
    store.add_site_files(id, &checked, &who.actor()).await?;
    Ok(Saved::Done)
}

/// A county of this deployment, by code or by name (`翁源县`, `广东省韶关市翁源县`).
pub(crate) fn county_of(
    tree: &kechuang_domain::region::RegionTree,
    raw: &str,
) -> Option<RegionCode> {
    let raw = raw.trim();
    let root = tree.root()?.code.clone();
    let code = RegionCode::parse(raw)
        .ok()
        .filter(|c| tree.get(c).is_some())
        .or_else(|| tree.find_by_name(raw, &root).ok())?;
    (tree.get(&code)?.kind == RegionKind::County).then_some(code)
}

/// The sites the caller may see: an enterprise its own, a county or the bureau those in its
/// region. Others see none.
pub async fn visible_sites(store: &Store, who: &Principal) -> Result<Vec<SiteRecord>, Error> {
    match who.scope() {
        DataScope::Enterprise(u) => Ok(store.sites(Some(u), None).await?),
        DataScope::Region(_) => {
            let tree = store.region_tree().await?;
            let regions: Vec<String> = who.regions(&tree)?.iter().map(|r| r.to_string()).collect();
            Ok(store.sites(None, Some(&regions)).await?)
        }
        _ => Ok(Vec::new()),
    }
}

/// One site with its evidence files, to the enterprise or an officer over its county.
pub async fn site(
    store: &Store,
    who: &Principal,
    id: i64,
) -> Result<(SiteRecord, Vec<SiteFile>), Error> {
    let s = store.site(id).await?;
    let tree = store.region_tree().await?;
    let ok = match who.scope() {
        DataScope::Enterprise(u) => *u == s.uscc,
        DataScope::Region(_) => {
            RegionCode::parse(&s.region_code).is_ok_and(|r| who.scope().covers_region(&tree, &r))
        }
        _ => false,
    };
    if !ok {
        return Err(StoreError::NotFound(Absent::Site { id }).into());
    }
    let files = store.site_files(id).await?;
    Ok((s, files))
}

/// An evidence file: (name, type to serve it as, bytes).
pub async fn file(
    store: &Store,
    who: &Principal,
    id: i64,
) -> Result<(String, &'static str, Vec<u8>), Error> {
    let (site_id, name, data) = store.site_file(id).await?;
    site(store, who, site_id)
        .await
        .map_err(|_| Error::from(StoreError::NotFound(Absent::SiteFile { id })))?;
    let served = crate::portal::served_type(&name);
    Ok((name, served, data))
}

/// The site an off-site enterprise applies through to a call: the one given, or its only
/// (first) site within the programme's region. `None` for an enterprise of the city.
pub async fn applying_site(
    store: &Store,
    uscc: &str,
    call: &kechuang_store::CallRecord,
    chosen: Option<i64>,
) -> Result<Option<(i64, String)>, Error> {
    let region = store.programme_region(&call.programme_code).await?;
    match store.offsite_standing(uscc).await? {
        Some(false) => return Ok(None),
        // Unknown to the city. One registered elsewhere registers its site first when the
        // call takes off-site applicants; anyone else the store refuses as not registered.
        None => {
            let elsewhere = Uscc::parse_legacy(uscc).is_ok_and(|u| is_offsite(&u, &region));
            return match (elsewhere, call.offsite_open) {
                (true, true) => Err(Error::conflict(SiteProblem::NoSite)),
                (true, false) => Err(Error::conflict(SiteProblem::CallNotOffsite)),
                (false, _) => Ok(None),
            };
        }
        Some(true) => {}
    }
    if !call.offsite_open {
        return Err(Error::conflict(SiteProblem::CallNotOffsite));
    }
    let tree = store.region_tree().await?;
    let fit: Vec<SiteRecord> = store
        .sites(Some(uscc), None)
        .await?
        .into_iter()
        .filter(|s| RegionCode::parse(&s.region_code).is_ok_and(|r| tree.is_within(&r, &region)))
        .collect();
    // The county reviews the site's evidence with the application: a site without any is not
    // one to apply through.
    if !fit.is_empty() && fit.iter().all(|s| s.files == 0) {
        return Err(Error::conflict(SiteProblem::EvidenceRequired));
    }
    let fit: Vec<SiteRecord> = fit.into_iter().filter(|s| s.files > 0).collect();
    let site = match chosen {
        Some(id) => fit
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| Error::conflict(SiteProblem::SiteOutsideProgramme))?,
        None => fit
            .into_iter()
            .last()
            .ok_or_else(|| Error::conflict(SiteProblem::NoSite))?,
    };
    Ok(Some((site.id, site.region_code)))
}
