//! Administrative regions (GB/T 2260) and the non-administrative zones kechuang adds under them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A six-digit GB/T 2260 code, or a six-digit code assigned locally to a zone (park).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

crate::problems! {
    pub enum InvalidRegionCode {
        NotSixDigits { raw: String } = "invalid_region_code" {
            zh: "区划代码 '{raw}' 无效：应为6位数字", en: "region code '{raw}' is not six digits",
        },
    }
}

impl RegionCode {
    pub fn parse(raw: &str) -> Result<Self, InvalidRegionCode> {
        let s = raw.trim();
        if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidRegionCode::NotSixDigits {
                raw: raw.to_owned(),
            })
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
/// (codes as GB/T 2260 and the national statistics bureau's division list give them).
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

/// Every county-level and higher division of Guangdong (1 province, 21 cities, 122 counties),
/// for a province-wide deployment. Shaoguan's regions keep their English names; the others
/// show their Chinese name in English too, until a checked romanisation is added.
pub fn guangdong_regions() -> Vec<Region> {
    let shipped = shipped_regions();
    include_str!("../data/gb2260-guangdong.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(' '))
        .filter_map(|(code, name)| {
            let code = RegionCode::parse(code).ok()?;
            let (kind, parent) = if code.0.ends_with("0000") {
                (RegionKind::Province, None)
            } else if code.0.ends_with("00") {
                (RegionKind::City, Some(format!("{}0000", &code.0[..2])))
            } else {
                (RegionKind::County, Some(format!("{}00", &code.0[..4])))
            };
            let name_en = shipped
                .iter()
                .find(|r| r.code == code)
                .map_or_else(|| name.to_owned(), |r| r.name_en.clone());
            Some(Region {
                code,
                name: name.to_owned(),
                name_en,
                parent: parent.map(RegionCode),
                kind,
            })
        })
        .collect()
}

/// The region hierarchy, for walking subtrees when rolling figures up. Indexed, because a
/// province has some 150 regions and every figure walks them.
#[derive(Debug, Clone, Default)]
pub struct RegionTree {
    regions: Vec<Region>,
    index: std::collections::HashMap<RegionCode, usize>,
    children: Vec<Vec<usize>>,
}

impl RegionTree {
    pub fn new(regions: Vec<Region>) -> Self {
        let index: std::collections::HashMap<RegionCode, usize> = regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.code.clone(), i))
            .collect();
        let mut children = vec![Vec::new(); regions.len()];
        for (i, r) in regions.iter().enumerate() {
            if let Some(p) = r.parent.as_ref().and_then(|p| index.get(p)) {
                children[*p].push(i);
            }
        }
        Self {
            regions,
            index,
            children,
        }
    }
    pub fn get(&self, code: &RegionCode) -> Option<&Region> {
        self.index.get(code).map(|i| &self.regions[*i])
    }
    /// The name of a region given by its code as stored (text), if the tree holds it.
    pub fn name_of(&self, code: &str) -> Option<&str> {
        RegionCode::parse(code)
            .ok()
            .and_then(|c| self.get(&c))
            .map(|r| r.name.as_str())
    }
    pub fn children(&self, code: &RegionCode) -> impl Iterator<Item = &Region> {
        self.index
            .get(code)
            .map(|i| self.children[*i].as_slice())
            .unwrap_or_default()
            .iter()
            .map(|c| &self.regions[*c])
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
    /// The top of the hierarchy (the province), where there is one.
    pub fn root(&self) -> Option<&Region> {
        self.regions.iter().find(|r| r.parent.is_none())
    }
    /// Whether `code` is `root` or lies below it (walking up from `code`, so it costs the
    /// depth of the tree, not its size).
    pub fn is_within(&self, code: &RegionCode, root: &RegionCode) -> bool {
        let mut cur = self.get(code);
        while let Some(r) = cur {
            if &r.code == root {
                return true;
            }
            cur = r.parent.as_ref().and_then(|p| self.get(p));
        }
        false
    }
    /// The region and everything below it, parents before children.
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
    fn guangdong_has_21_cities_and_122_counties() {
        let all = guangdong_regions();
        let count = |k| all.iter().filter(|r| r.kind == k).count();
        assert_eq!(count(RegionKind::Province), 1);
        assert_eq!(count(RegionKind::City), 21);
        assert_eq!(count(RegionKind::County), 122);
        let tree = RegionTree::new(all.clone());
        // Every county hangs under a listed city, and Shaoguan is exactly the shipped one.
        for r in all.iter().filter(|r| r.kind == RegionKind::County) {
            let parent = r.parent.as_ref().and_then(|p| tree.get(p));
            assert_eq!(parent.map(|p| p.kind), Some(RegionKind::City), "{}", r.code);
        }
        for s in shipped_regions() {
            assert_eq!(tree.get(&s.code), Some(&s), "{}", s.code);
        }
    }

    #[test]
    fn shaoguan_has_ten_counties() {
        let tree = RegionTree::new(shipped_regions());
        let sg = RegionCode::parse("440200").expect("valid");
        assert_eq!(tree.rollup_children(&sg).len(), 10);
        assert_eq!(tree.subtree(&sg).len(), 11);
    }
}
