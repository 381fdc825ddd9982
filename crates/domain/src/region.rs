//! Administrative regions (GB/T 2260) and the non-administrative zones kechuang adds under them.

#[cfg(test)]
use crate::problem::Problem;
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
        r("440000", "广东省", "Guangdong Province", None, Province),
        r("440200", "韶关市", "Shaoguan City", Some("440000"), City),
        r(
            "440203",
            "武江区",
            "Wujiang District",
            Some("440200"),
            County,
        ),
        r(
            "440204",
            "浈江区",
            "Zhenjiang District",
            Some("440200"),
            County,
        ),
        r(
            "440205",
            "曲江区",
            "Qujiang District",
            Some("440200"),
            County,
        ),
        r("440222", "始兴县", "Shixing County", Some("440200"), County),
        r("440224", "仁化县", "Renhua County", Some("440200"), County),
        r(
            "440229",
            "翁源县",
            "Wengyuan County",
            Some("440200"),
            County,
        ),
        r(
            "440232",
            "乳源瑶族自治县",
            "Ruyuan Yao Autonomous County",
            Some("440200"),
            County,
        ),
        r("440233", "新丰县", "Xinfeng County", Some("440200"), County),
        r("440281", "乐昌市", "Lechang City", Some("440200"), County),
        r("440282", "南雄市", "Nanxiong City", Some("440200"), County),
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
    /// The county a region lies in (itself when it is one), by the code as stored: figures
    /// by county count an enterprise filed under a zone or a town in its county. A code the
    /// tree lacks, or one above any county, answers as given.
    pub fn county_of(&self, code: &str) -> String {
        let mut cur = RegionCode::parse(code).ok().and_then(|c| self.get(&c));
        while let Some(r) = cur {
            if r.kind == RegionKind::County {
                return r.code.to_string();
            }
            cur = r.parent.as_ref().and_then(|p| self.get(p));
        }
        code.to_owned()
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

// ---- regions by name ------------------------------------------------------------------------

crate::problems! {
    /// Why a region written by its name is not recognised.
    pub enum RegionNameProblem {
        Unknown { raw: String, candidates: String } = "unknown_region_name" {
            zh: "找不到区划“{raw}”{candidates}",
            en: "no region is called '{raw}'{candidates}",
        },
        Ambiguous { raw: String, candidates: String } = "ambiguous_region_name" {
            zh: "“{raw}”可指多个区划：{candidates}，请写全称或区划代码",
            en: "'{raw}' may be any of {candidates}: write the full name or the region code",
        },
        Outside { raw: String } = "region_outside" {
            zh: "区划“{raw}”不在本系统管辖范围内", en: "region '{raw}' is outside this deployment",
        },
    }
}

/// The ways a region's name is written: in full (乳源瑶族自治县), without its kind (乳源,
/// 武江, 乐昌, 韶关) and, for an autonomous county, as a plain county (乳源县).
pub fn name_forms(name: &str) -> Vec<String> {
    let mut out = vec![name.to_owned()];
    let chars: Vec<char> = name.chars().collect();
    if name.ends_with("自治县") || name.ends_with("自治州") {
        // 乳源瑶族自治县, 连山壮族瑶族自治县: the place is what precedes the first people's name.
        if let Some(i) = chars.iter().position(|c| *c == '族') {
            if i >= 3 {
                let base: String = chars[..i - 1].iter().collect();
                out.push(format!("{base}县"));
                out.push(base);
            }
        }
    } else if chars.len() > 2 && matches!(chars.last(), Some('县' | '区' | '市' | '省')) {
        out.push(chars[..chars.len() - 1].iter().collect());
    }
    out
}

/// Folds how a name is typed into how it is stored: no spaces of any width, full-width
/// letters and digits as ASCII.
fn fold_name(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .map(crate::text::fold_width)
        .collect()
}

impl RegionTree {
    /// The region a name means, inside `within`: written in full or short, with or without
    /// the province and city in front (韶关市武江区, 广东省韶关市武江区, 武江), spaces of any
    /// width ignored. A name that fits several regions, or none, is refused with the
    /// candidates, never guessed.
    pub fn find_by_name(
        &self,
        raw: &str,
        within: &RegionCode,
    ) -> Result<RegionCode, RegionNameProblem> {
        let original = raw.trim().to_owned();
        let mut rest = fold_name(raw);
        let mut scope = within.clone();
        loop {
            let found = self.named(&rest, &scope);
            match found.as_slice() {
                [one] => return Ok(one.code.clone()),
                [] => {}
                many => {
                    return Err(RegionNameProblem::Ambiguous {
                        raw: original,
                        candidates: many
                            .iter()
                            .map(|r| format!("{}（{}）", r.name, r.code))
                            .collect::<Vec<_>>()
                            .join("、"),
                    })
                }
            }
            // A province or city written in front: what follows it is inside it.
            match self.leading_area(&rest, &scope) {
                Some((area, len)) => {
                    rest = rest.chars().skip(len).collect();
                    if self.is_within(&area, &scope) {
                        scope = area;
                    }
                }
                None => break,
            }
        }
        // Known to the tree, but elsewhere: say so rather than "unknown".
        if let Some(root) = self.root().map(|r| r.code.clone()) {
            if root != *within && self.find_by_name(raw, &root).is_ok() {
                return Err(RegionNameProblem::Outside { raw: original });
            }
        }
        let near: Vec<String> = self
            .subtree(&scope)
            .iter()
            .filter_map(|c| self.get(c))
            .filter(|r| {
                let short = name_forms(&r.name).pop().unwrap_or_default();
                !rest.is_empty() && (short.contains(&rest) || rest.contains(&short))
            })
            .take(5)
            .map(|r| r.name.clone())
            .collect();
        Err(RegionNameProblem::Unknown {
            raw: original,
            candidates: if near.is_empty() {
                String::new()
            } else {
                format!("（{}？）", near.join("、"))
            },
        })
    }

    /// Regions inside `scope` (itself included) that one of whose names is exactly `name`.
    fn named(&self, name: &str, scope: &RegionCode) -> Vec<&Region> {
        if name.is_empty() {
            return Vec::new();
        }
        self.subtree(scope)
            .iter()
            .filter_map(|c| self.get(c))
            .filter(|r| name_forms(&r.name).iter().any(|f| f == name))
            .collect()
    }

    /// A province or city — `scope`, one above it, or one inside it — whose name (longest
    /// form first) begins `text` and is followed by more; with the characters it takes.
    fn leading_area(&self, text: &str, scope: &RegionCode) -> Option<(RegionCode, usize)> {
        let mut areas: Vec<&Region> = Vec::new();
        let mut up = self.get(scope);
        while let Some(r) = up {
            areas.push(r);
            up = r.parent.as_ref().and_then(|p| self.get(p));
        }
        areas.extend(
            self.subtree(scope)
                .iter()
                .filter_map(|c| self.get(c))
                .filter(|r| matches!(r.kind, RegionKind::Province | RegionKind::City)),
        );
        let mut best: Option<(RegionCode, usize)> = None;
        for r in areas {
            if !matches!(r.kind, RegionKind::Province | RegionKind::City) {
                continue;
            }
            for f in name_forms(&r.name) {
                let len = f.chars().count();
                if text.starts_with(&f)
                    && text.chars().count() > len
                    && best.as_ref().is_none_or(|(_, l)| len > *l)
                {
                    best = Some((r.code.clone(), len));
                }
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guangdong() -> RegionTree {
        RegionTree::new(guangdong_regions())
    }

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).expect("code")
    }

    #[test]
    fn counties_are_found_by_any_name_an_office_writes() {
        let t = guangdong();
        let gd = code("440000");
        let sg = code("440200");
        for (raw, want) in [
            ("武江区", "440203"),
            ("武江", "440203"),
            ("韶关市武江区", "440203"),
            ("广东省韶关市武江区", "440203"),
            ("广东韶关武江区", "440203"),
            ("韶关市 武江区", "440203"),
            ("韶关市\u{3000}武江区", "440203"),
            ("乳源", "440232"),
            ("乳源县", "440232"),
            ("乳源瑶族自治县", "440232"),
            ("韶关市乳源瑶族自治县", "440232"),
            ("乐昌市", "440281"),
            ("乐昌", "440281"),
            ("韶关市", "440200"),
            ("韶关", "440200"),
        ] {
            assert_eq!(
                t.find_by_name(raw, &sg),
                Ok(code(want)),
                "{raw} in Shaoguan"
            );
            assert_eq!(
                t.find_by_name(raw, &gd),
                Ok(code(want)),
                "{raw} in Guangdong"
            );
        }
    }

    #[test]
    fn a_name_outside_ambiguous_or_unknown_is_refused_with_candidates() {
        let t = guangdong();
        let sg = code("440200");
        let outside = t.find_by_name("深圳市南山区", &sg).expect_err("outside");
        assert_eq!(outside.code(), "region_outside");
        // 城区 is a district of more than one city of the province.
        let gd = code("440000");
        if let Err(e) = t.find_by_name("城区", &gd) {
            assert_eq!(e.code(), "ambiguous_region_name", "{e}");
        }
        let e = t.find_by_name("武江县区", &sg).expect_err("unknown");
        assert_eq!(e.code(), "unknown_region_name");
        let e = t.find_by_name("浈江新区", &sg).expect_err("unknown");
        assert!(e.to_string().contains("浈江区"), "{e}");
    }

    proptest::proptest! {
        /// Every county of the province is found by each of its names, with its province
        /// and city in front or not.
        #[test]
        fn every_county_by_every_form(i in 0usize..140) {
            let t = guangdong();
            let counties: Vec<&Region> = t
                .all()
                .iter()
                .filter(|r| r.kind == RegionKind::County)
                .collect();
            let county = counties[i % counties.len()];
            let city = county.parent.as_ref().and_then(|p| t.get(p)).expect("city");
            let gd = code("440000");
            for form in name_forms(&county.name) {
                for raw in [form.clone(), format!("{}{form}", city.name), format!("广东省{}{form}", city.name)] {
                    let found = t.find_by_name(&raw, &gd);
                    // A short form two counties share is refused, never guessed.
                    match found {
                        Ok(c) => proptest::prop_assert_eq!(&c, &county.code, "{}", raw),
                        Err(e) => proptest::prop_assert_eq!(e.code(), "ambiguous_region_name", "{}", raw),
                    }
                }
            }
        }
    }

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
