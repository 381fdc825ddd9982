//! Operating sites of off-site enterprises (异地申报): the enterprise is kept in `enterprises`
//! under its first site's county and marked `offsite`, so applications, awards and the ledger
//! refer to it as to any other while counts leave it out unless a rule takes it in.

use crate::audit::{append_new, Actor};
use crate::{money_error, now_utc, Absent, Refusal, Result, Store, StoreError};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteRecord {
    pub id: i64,
    pub uscc: String,
    /// The enterprise's registered name.
    pub enterprise: String,
    /// The county the site lies in.
    pub region_code: String,
    pub address: String,
    /// What the enterprise does there (production, R&D, …).
    pub activity: String,
    pub registered_by: String,
    pub registered_at: String,
    pub updated_at: String,
    pub files: i64,
}

/// An evidence file of a site, without its bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteFile {
    pub id: i64,
    pub site_id: i64,
    pub file_name: String,
    pub size: i64,
    pub uploaded_at: String,
}

/// A site as the enterprise registers it, with the enterprise's own particulars.
#[derive(Debug, Clone, Default)]
pub struct NewSite {
    pub uscc: String,
    pub name: String,
    pub registered_on: Option<String>,
    pub industry: String,
    pub region_code: String,
    pub address: String,
    pub activity: String,
}

const SITE_SELECT: &str = "SELECT s.*, e.name AS enterprise, \
     (SELECT COUNT(*) FROM operating_site_files f WHERE f.site_id = s.id) AS files \
     FROM operating_sites s JOIN enterprises e ON e.uscc = s.uscc";

fn site_row(r: &AnyRow) -> Result<SiteRecord> {
    Ok(SiteRecord {
        id: r.try_get("id")?,
        uscc: r.try_get("uscc")?,
        enterprise: r.try_get("enterprise")?,
        region_code: r.try_get("region_code")?,
        address: r.try_get("address")?,
        activity: r.try_get("activity")?,
        registered_by: r.try_get("registered_by")?,
        registered_at: r.try_get("registered_at")?,
        updated_at: r.try_get("updated_at")?,
        files: r.try_get("files")?,
    })
}

impl Store {
    /// Whether an enterprise is in `enterprises` and, if so, whether it is off-site.
    pub async fn offsite_standing(&self, uscc: &str) -> Result<Option<bool>> {
        let v: Option<i64> = sqlx::query_scalar("SELECT offsite FROM enterprises WHERE uscc = $1")
            .bind(uscc)
            .fetch_optional(&self.read)
            .await?;
        Ok(v.map(|v| v != 0))
    }

    /// Registers a site (or updates the one the enterprise has in that county) with its
    /// evidence files, in one transaction: the enterprise is entered as off-site on its first
    /// site, and an enterprise of the city's own registry is refused.
    pub async fn put_site(
        &self,
        site: &NewSite,
        files: &[(String, String, Vec<u8>)],
        actor: &Actor,
    ) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let now = now_utc();
        let standing: Option<i64> =
            sqlx::query_scalar("SELECT offsite FROM enterprises WHERE uscc = $1")
                .bind(&site.uscc)
                .fetch_optional(&mut *tx)
                .await?;
        match standing {
            Some(0) => {
                return Err(StoreError::Refused(Refusal::RegisteredInCity {
                    uscc: site.uscc.clone(),
                }))
            }
            Some(_) => {
                sqlx::query(
                    "UPDATE enterprises SET name = $1, registered_on = COALESCE($2, registered_on), \
                     industry = $3, updated_at = $4, revision = revision + 1 WHERE uscc = $5",
                )
                .bind(&site.name)
                .bind(&site.registered_on)
                .bind(&site.industry)
                .bind(&now)
                .bind(&site.uscc)
                .execute(&mut *tx)
                .await?;
            }
            None => {
                sqlx::query(
                    "INSERT INTO enterprises (uscc, name, region_code, address, industry, \
                     registered_on, offsite, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)",
                )
                .bind(&site.uscc)
                .bind(&site.name)
                .bind(&site.region_code)
                .bind(&site.address)
                .bind(&site.industry)
                .bind(&site.registered_on)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
            }
        }
        // The enterprise row is counted (when a rule takes off-site ones in): cached counts
        // are read again.
        sqlx::query("UPDATE registry_state SET generation = generation + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO operating_sites (uscc, region_code, address, activity, registered_by, \
             registered_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) \
             ON CONFLICT (uscc, region_code) DO UPDATE SET address = excluded.address, \
             activity = excluded.activity, updated_at = excluded.updated_at RETURNING id",
        )
        .bind(&site.uscc)
        .bind(&site.region_code)
        .bind(&site.address)
        .bind(&site.activity)
        .bind(&actor.name)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        let names = insert_files(&mut tx, id, files, actor, &now).await?;
        append_new(
            &mut tx,
            actor,
            "site.register",
            "operating_site",
            &id.to_string(),
            serde_json::json!({
                "uscc": site.uscc, "name": site.name, "region": site.region_code,
                "address": site.address, "activity": site.activity, "files": names,
            }),
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds evidence files to a site.
    pub async fn add_site_files(
        &self,
        site: i64,
        files: &[(String, String, Vec<u8>)],
        actor: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let names = insert_files(&mut tx, site, files, actor, &now_utc()).await?;
        append_new(
            &mut tx,
            actor,
            "site.file",
            "operating_site",
            &site.to_string(),
            serde_json::json!({ "files": names }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sites of one enterprise, or within some counties (all with `None`), newest first.
    pub async fn sites(
        &self,
        uscc: Option<&str>,
        regions: Option<&[String]>,
    ) -> Result<Vec<SiteRecord>> {
        let mut sql = crate::sql::Sql::new(&format!("{SITE_SELECT} WHERE 1 = 1"));
        if let Some(u) = uscc {
            let p = sql.arg(u.to_owned());
            sql.push(&format!(" AND s.uscc = {p}"));
        }
        if let Some(rs) = regions {
            sql.in_list("s.region_code", rs);
        }
        sql.push(" ORDER BY s.updated_at DESC, s.id DESC");
        sql.fetch_all(&self.read)
            .await?
            .iter()
            .map(site_row)
            .collect()
    }

    pub async fn site(&self, id: i64) -> Result<SiteRecord> {
        let row = sqlx::query(&format!("{SITE_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .ok_or(StoreError::NotFound(Absent::Site { id }))?;
        site_row(&row)
    }

    pub async fn site_files(&self, site: i64) -> Result<Vec<SiteFile>> {
        sqlx::query(
            "SELECT id, site_id, file_name, size_bytes, uploaded_at FROM operating_site_files \
             WHERE site_id = $1 ORDER BY id",
        )
        .bind(site)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| {
            Ok(SiteFile {
                id: r.try_get("id")?,
                site_id: r.try_get("site_id")?,
                file_name: r.try_get("file_name")?,
                size: r.try_get("size_bytes")?,
                uploaded_at: r.try_get("uploaded_at")?,
            })
        })
        .collect()
    }

    /// An evidence file: (site, name, bytes).
    pub async fn site_file(&self, id: i64) -> Result<(i64, String, Vec<u8>)> {
        let row =
            sqlx::query("SELECT site_id, file_name, data FROM operating_site_files WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.read)
                .await?
                .ok_or(StoreError::NotFound(Absent::SiteFile { id }))?;
        Ok((
            row.try_get("site_id")?,
            row.try_get("file_name")?,
            row.try_get("data")?,
        ))
    }
}

/// Stores evidence files of a site; a second file of the same name is refused.
async fn insert_files(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    site: i64,
    files: &[(String, String, Vec<u8>)],
    actor: &Actor,
    now: &str,
) -> Result<Vec<serde_json::Value>> {
    let mut names = Vec::new();
    for (name, ctype, data) in files {
        let digest = kechuang_domain::auth::sha256_hex(data);
        sqlx::query(
            "INSERT INTO operating_site_files (site_id, file_name, content_type, size_bytes, \
             sha256, data, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(site)
        .bind(name)
        .bind(ctype)
        .bind(data.len() as i64)
        .bind(&digest)
        .bind(data.clone())
        .bind(&actor.name)
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(|e| {
            money_error(e, || Refusal::ArticleFileExists {
                name: name.to_owned(),
            })
        })?;
        names.push(serde_json::json!({ "file": name, "sha256": digest }));
    }
    Ok(names)
}
