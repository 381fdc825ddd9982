//! Administrative regions (GB/T 2260) and the non-administrative zones kechuang adds under them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A six-digit GB/T 2260 code, or a six-digit code assigned locally to a zone (park).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("区划代码 '{0}' 无效：应为6位数字 (region code must be six digits)")]
pub struct InvalidRegionCode(pub String);

impl RegionCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegionCode> {
        let s = raw.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidRegionCode(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = InvalidRegionCode;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}
impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}
impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    Province,
    City,
    County,
    /// A non-administrative zone such as a high-tech park, placed under a city.
    Zone,
}

impl RegionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::Zone => "zone",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "province" => Self::Province,
            "city" => Self::City,
            "county" => Self::County,
            "zone" => Self::Zone,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub name_en: String,
    pub parent: Option<RegionCode>,
    pub kind: RegionKind,
}

/// The regions shipped with kechuang: Guangdong, Shaoguan and its ten county-level divisions
/// (codes checked against GB/T 2260, see DESIGN.md §6).
pub fn shipped_regions() -> Vec<Region> {
    let r = |code: &str, name: &str, en: &str, parent: Option<&str>, kind| Region {
        code: RegionCode(code.to_owned()),
        name: name.to_owned(),
        name_en: en.to_owned(),
        parent: parent.map(|p| RegionCode(p.to_owned())),
        kind,
    };
    use RegionKind::*;
    vec![
        r("440000", "广东省", "Guangdong", None, Province),
        r("440200", "韶关市", "Shaoguan", Some("440000"), City),
        r("440203", "武江区", "Wujiang", Some("440200"), County),
        r("440204", "浈江区", "Zhenjiang", Some("440200"), County),
        r("440205", "曲江区", "Qujiang", Some("440200"), County),
        r("440222", "始兴县", "Shixing", Some("440200"), County),
        r("440224", "仁化县", "Renhua", Some("440200"), County),
        r("440229", "翁源县", "Wengyuan", Some("440200"), County),
        r("440232", "乳源瑶族自治县", "Ruyuan", Some("440200"), County),
        r("440233", "新丰县", "Xinfeng", Some("440200"), County),
        r("440281", "乐昌市", "Lechang", Some("440200"), County),
        r("440282", "南雄市", "Nanxiong", Some("440200"), County),
    ]
}

/// The region hierarchy, for walking subtrees when rolling figures up.
#[derive(Debug, Clone, Default)]
pub struct RegionTree {
    regions: Vec<Region>,
}

impl RegionTree {
    pub fn new(regions: Vec<Region>) -> Self {
        Self { regions }
    }
    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.regions.iter().find(|r| &r.code == code)
    }
    pub fn children(&self, code: &RegionCode) -> impl Iterator<Item = &Region> {
        let code = code.clone();
        self.regions
            .iter()
            .filter(move |r| r.parent.as_ref() == Some(&code))
    }
    /// Children that take part in roll-up: zones overlap the counties they lie in, so adding
    /// them to a city total would count the same enterprises twice.
    pub fn rollup_children(&self, code: &RegionCode) -> Vec<&Region> {
        self.children(code)
            .filter(|r| r.kind != RegionKind::Zone)
            .collect()
    }
    pub fn all(&self) -> &[Region] {
        &self.regions
    }
    /// The region and everything below it.
    pub fn subtree(&self, code: &RegionCode) -> Vec<RegionCode> {
        let mut out = vec![code.clone()];
        let mut i = 0;
        while i < out.len() {
            let cur = out[i].clone();
            out.extend(self.children(&cur).map(|r| r.code.clone()));
            i += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_code_must_be_six_digits() {
        assert!(RegionCode::parse("440203").is_ok());
        assert_eq!(
            RegionCode::parse(" 440203 ").map(|c| c.0),
            Ok("440203".into())
        );
        assert!(RegionCode::parse("44020").is_err());
        assert!(RegionCode::parse("44020a").is_err());
    }

    #[test]
    fn shaoguan_has_ten_counties() {
        let tree = RegionTree::new(shipped_regions());
        let sg = RegionCode::parse("440200").expect("valid");
        assert_eq!(tree.rollup_children(&sg).len(), 10);
        assert_eq!(tree.subtree(&sg).len(), 11);
    }
}
