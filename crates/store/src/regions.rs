//! The region hierarchy.

use crate::{Absent, Refusal};
use crate::{Result, Store, StoreError};
use kechuang_domain::region::{Region, RegionKind, RegionTree};
use kechuang_domain::RegionCode;
use sqlx::Row;

impl Store {
    /// Inserts or refreshes the shipped regions; zones added by staff are left alone. Every
    /// command and every start calls this: regions already as shipped are not written, so
    /// the data generation (and every server's cached progress) stays where it is.
    pub async fn ensure_regions(&self, regions: &[Region]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let stored: std::collections::HashMap<String, (String, String, String, String, i64)> =
            sqlx::query(
                "SELECT code, name, name_en, COALESCE(parent_code, '') AS parent, kind, position \
                 FROM regions",
            )
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("code")?,
                    (
                        r.try_get("name")?,
                        r.try_get("name_en")?,
                        r.try_get("parent")?,
                        r.try_get("kind")?,
                        r.try_get("position")?,
                    ),
                ))
            })
            .collect::<Result<_>>()?;
        for (i, r) in regions.iter().enumerate() {
            let shipped = (
                r.name.clone(),
                r.name_en.clone(),
                r.parent
                    .as_ref()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
                r.kind.as_str().to_owned(),
                i as i64,
            );
            if stored.get(r.code.as_str()) == Some(&shipped) {
                continue;
            }
            sqlx::query(
                "INSERT INTO regions (code, name, name_en, parent_code, kind, position) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, name_en = excluded.name_en, \
                 parent_code = excluded.parent_code, kind = excluded.kind, position = excluded.position",
            )
            .bind(r.code.as_str())
            .bind(&r.name)
            .bind(&r.name_en)
            .bind(r.parent.as_ref().map(|p| p.as_str().to_owned()))
            .bind(r.kind.as_str())
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Adds a non-administrative zone (e.g. a high-tech park) under a city.
    pub async fn add_zone(
        &self,
        code: &RegionCode,
        name: &str,
        parent: &RegionCode,
        by: &crate::audit::Actor,
    ) -> Result<()> {
        let tree = self.region_tree().await?;
        match tree.get(parent).map(|r| r.kind) {
            Some(RegionKind::City) => {}
            _ => {
                return Err(StoreError::NotFound(Absent::ParentCity {
                    code: parent.to_string(),
                }))
            }
        }
        if let Some(r) = tree.get(code) {
            return Err(StoreError::Refused(Refusal::RegionCodeInUse {
                code: code.to_string(),
                name: r.name.clone(),
            }));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO regions (code, name, name_en, parent_code, kind, position) \
             VALUES ($1, $2, '', $3, 'zone', 1000)",
        )
        .bind(code.as_str())
        .bind(name)
        .bind(parent.as_str())
        .execute(&mut *tx)
        .await?;
        crate::audit::append(
            &mut tx,
            &crate::audit::AuditEntry {
                actor: by,
                action: "region.add_zone",
                entity: "region",
                entity_id: code.as_str(),
                before: String::new(),
                after: serde_json::json!({ "name": name, "parent": parent.as_str() }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn regions(&self) -> Result<Vec<Region>> {
        let rows = sqlx::query(
            "SELECT code, name, name_en, parent_code, kind FROM regions ORDER BY position, code",
        )
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let code: String = r.try_get("code")?;
                let parent: Option<String> = r.try_get("parent_code")?;
                let kind: String = r.try_get("kind")?;
                let bad = |what: &str| StoreError::Corrupt(format!("region {code}: {what}"));
                Ok(Region {
                    code: RegionCode::parse(&code).map_err(|_| bad("code"))?,
                    name: r.try_get("name")?,
                    name_en: r.try_get("name_en")?,
                    parent: parent
                        .map(|p| RegionCode::parse(&p))
                        .transpose()
                        .map_err(|_| bad("parent"))?,
                    kind: RegionKind::parse(&kind).ok_or_else(|| bad("kind"))?,
                })
            })
            .collect()
    }

    pub async fn region_tree(&self) -> Result<RegionTree> {
        Ok(RegionTree::new(self.regions().await?))
    }
}
