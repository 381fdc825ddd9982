//! Reading the registries within the caller's data scope: the region a caller asks about and
//! an enterprise with everything recorded about it (certificates, platforms, figures, patents).

use crate::auth::Principal;
use crate::{Error, Missing};
use kechuang_domain::auth::DataScope;
use kechuang_domain::RegionCode;
use kechuang_store::Store;

/// The region a caller asks about, narrowed to their scope (their own region when they name
/// none); a region outside it is not found, and so is an unknown one.
pub async fn scoped_region(
    store: &Store,
    who: &Principal,
    region: Option<&str>,
) -> Result<RegionCode, Error> {
    let tree = store.region_tree().await?;
    let code = who.region_within(&tree, region)?;
    if tree.get(&code).is_none() {
        return Err(Error::not_found(Missing::Region {
            code: code.to_string(),
        }));
    }
    Ok(code)
}

/// The regions whose records a list may show: the subtree of [`scoped_region`].
pub async fn scoped_subtree(
    store: &Store,
    who: &Principal,
    region: Option<&str>,
) -> Result<Vec<RegionCode>, Error> {
    let code = scoped_region(store, who, region).await?;
    Ok(store.region_tree().await?.subtree(&code))
}

/// An enterprise with everything the registries hold about it.
pub struct EnterpriseDetail {
    pub enterprise: kechuang_domain::registry::EnterpriseRow,
    pub certificates: Vec<kechuang_store::CertificateItem>,
    pub platforms: Vec<kechuang_store::PlatformItem>,
    pub facts: Vec<kechuang_domain::registry::FactRow>,
    /// Patents whose holder is linked to it.
    pub patents: Vec<kechuang_store::PatentItem>,
}

/// An enterprise the caller may see: one in their region's subtree, or their own enterprise.
/// Any other is "not found", exactly as if it did not exist.
pub async fn enterprise_detail(
    store: &Store,
    who: &Principal,
    raw_uscc: &str,
) -> Result<EnterpriseDetail, Error> {
    // Whatever way the code was typed, look it up in its canonical form.
    let uscc = kechuang_domain::uscc::normalise(raw_uscc);
    let hidden = || Error::not_found(Missing::Enterprise { uscc: uscc.clone() });
    let enterprise = store.enterprise(&uscc).await.map_err(|e| match e {
        kechuang_store::StoreError::NotFound(_) => hidden(),
        other => other.into(),
    })?;
    let visible = match who.scope() {
        DataScope::Enterprise(own) => *own == uscc,
        scope => {
            let tree = store.region_tree().await?;
            RegionCode::parse(&enterprise.region_code).is_ok_and(|r| scope.covers_region(&tree, &r))
        }
    };
    if !visible {
        return Err(hidden());
    }
    Ok(EnterpriseDetail {
        certificates: store.certificates_of(&uscc).await?,
        platforms: store.platforms_of(&uscc).await?,
        facts: store.facts_of(&uscc).await?,
        patents: store.patents_of(&uscc).await?,
        enterprise,
    })
}

/// Registered enterprises by the names a file gives (`kechuang_ingest::patents::name_key` →
/// USCC, brackets of either width), with each found enterprise's region added to `regions`.
/// A name two enterprises share links to neither: a guess would credit the wrong one.
pub async fn enterprises_by_name(
    store: &Store,
    names: impl IntoIterator<Item = String>,
    regions: &mut kechuang_domain::registry::RegionsByUscc,
) -> Result<kechuang_ingest::patents::UsccByName, Error> {
    let asked = name_variants(names);
    let by_key = kechuang_ingest::patents::UsccByName::default();
    if asked.is_empty() {
        return Ok(by_key);
    }
    // Folded as the store reads them: a list of a million found enterprises is never built.
    let found = (by_key, std::mem::take(regions));
    let (by_key, found_regions) = store
        .enterprises_named(asked, found, |(by_key, regions), e| {
            note_named(by_key, regions, e)
        })
        .await?;
    *regions = found_regions;
    Ok(by_key)
}

/// The spellings under which a register may hold each of `names`: as given, as its key
/// (`name_key`: widths folded, spaces dropped, half-width brackets) and with full-width
/// brackets, as most registers write them.
pub fn name_variants(names: impl IntoIterator<Item = String>) -> Vec<String> {
    use kechuang_ingest::patents::name_key;
    let mut asked: Vec<String> = Vec::new();
    for n in names {
        let k = name_key(&n);
        if k.contains(['(', ')']) {
            asked.push(k.replace('(', "（").replace(')', "）"));
        }
        if k != n {
            asked.push(n);
        }
        asked.push(k);
    }
    asked
}

/// Keeps an enterprise found by name: its code under the name's key, its region by its code.
pub fn note_named(
    by_key: &mut kechuang_ingest::patents::UsccByName,
    regions: &mut kechuang_domain::registry::RegionsByUscc,
    e: kechuang_store::NamedEnterprise<'_>,
) {
    regions.insert(e.uscc, e.region_code);
    by_key.insert(&kechuang_ingest::patents::name_key(e.name), e.uscc);
}
