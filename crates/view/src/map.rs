//! The county map: a city's counties as a choropleth drawn server-side as SVG, shaded by a
//! figure per county, each county a link with its figure as a tooltip, a legend, and a text
//! description a screen reader reaches. The outlines are data (`maps/440200.json`, see
//! `maps/README.md`); a deployment for another city supplies its own with `serve --maps DIR`.

use crate::charts::esc;
use crate::format::number;
use serde::Deserialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

const SHIPPED: &[(&str, &str)] = &[("440200", include_str!("../maps/440200.json"))];

#[derive(Debug, Clone, Deserialize)]
pub struct CountyMap {
    pub region: String,
    #[serde(default)]
    pub source: String,
    pub counties: Vec<CountyShape>,
    /// The outlines projected and written as SVG path data, once: the geometry never changes,
    /// and writing thousands of coordinates took most of a dashboard request's time.
    #[serde(skip)]
    drawn: std::sync::OnceLock<Option<Drawn>>,
}

/// A map's outlines at the drawing's size.
#[derive(Debug, Clone)]
struct Drawn {
    w: f64,
    pad: f64,
    h_map: f64,
    /// Per county, in the map's order: its path data and its label's position.
    counties: Vec<(String, (f64, f64))>,
}

const WIDTH: f64 = 520.0;
const PAD: f64 = 8.0;

impl CountyMap {
    fn drawn(&self) -> Option<&Drawn> {
        self.drawn.get_or_init(|| self.draw()).as_ref()
    }

    fn draw(&self) -> Option<Drawn> {
        let (w, pad) = (WIDTH, PAD);
        let points = self.counties.iter().flat_map(|c| c.rings.iter().flatten());
        let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for p in points {
            x0 = x0.min(p[0]);
            x1 = x1.max(p[0]);
            y0 = y0.min(p[1]);
            y1 = y1.max(p[1]);
        }
        if x0 >= x1 || y0 >= y1 {
            return None;
        }
        // Equirectangular at the city's middle latitude: true shapes at a city's size.
        let k = (((y0 + y1) / 2.0).to_radians()).cos();
        let scale = (w - 2.0 * pad) / ((x1 - x0) * k);
        let h_map = (y1 - y0) * scale + 2.0 * pad;
        let xy = |p: &[f64; 2]| ((p[0] - x0) * k * scale + pad, (y1 - p[1]) * scale + pad);
        let counties = self
            .counties
            .iter()
            .map(|c| {
                let mut d = String::new();
                for ring in &c.rings {
                    for (i, p) in ring.iter().enumerate() {
                        let (x, y) = xy(p);
                        let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M" } else { "L" });
                    }
                    d.push('Z');
                }
                (d, xy(&c.centre))
            })
            .collect();
        Some(Drawn {
            w,
            pad,
            h_map,
            counties,
        })
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CountyShape {
    pub code: String,
    pub name: String,
    pub centre: [f64; 2],
    pub rings: Vec<Vec<[f64; 2]>>,
}

/// The outlines known to this server, by the city's region code.
#[derive(Debug, Default)]
pub struct Maps(HashMap<String, CountyMap>);

impl Maps {
    /// The outlines shipped in the binary.
    pub fn shipped() -> Self {
        let mut maps = HashMap::new();
        for (code, src) in SHIPPED {
            // Checked by a test; a broken shipped file would only lose the map.
            if let Ok(m) = serde_json::from_str::<CountyMap>(src) {
                maps.insert((*code).to_owned(), m);
            }
        }
        Self(maps)
    }

    /// Adds every `*.json` map in a directory, over the shipped ones; a file that is not a
    /// map is an error naming it, so a deployment learns at start-up rather than by a blank.
    pub fn with_dir(mut self, dir: &Path) -> Result<Self, String> {
        let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let src =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let map: CountyMap =
                serde_json::from_str(&src).map_err(|e| format!("{}: {e}", path.display()))?;
            if map.counties.is_empty() {
                return Err(format!("{}: no counties", path.display()));
            }
            self.0.insert(map.region.clone(), map);
        }
        Ok(self)
    }

    pub fn get(&self, city: &str) -> Option<&CountyMap> {
        self.0.get(city)
    }
}

/// One county's figure on the map.
pub struct Shade {
    pub code: String,
    pub name: String,
    pub value: Option<f64>,
    /// The figure as the page writes it, with its unit.
    pub text: String,
    pub href: String,
}

/// Five blues from light to dark (ColorBrewer "Blues", readable by the colour-blind), and the
/// grey of a county without a figure.
const CLASSES: [&str; 5] = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
const NO_DATA: &str = "#e3e6ea";

/// The class of a value between 0 and `max` (equal intervals: officers compare counties
/// against one scale, not against quantiles that move with the data).
fn class_of(v: f64, max: f64) -> usize {
    if max <= 0.0 || v <= 0.0 {
        return 0;
    }
    (((v / max) * CLASSES.len() as f64).ceil() as usize).clamp(1, CLASSES.len()) - 1
}

/// The map as an SVG element; `id` keeps title and description references unique on a page.
pub fn choropleth(
    map: &CountyMap,
    shades: &[Shade],
    id: &str,
    title: &str,
    no_data: &str,
) -> String {
    let Some(drawn) = map.drawn() else {
        return String::new();
    };
    let (w, pad, h_map) = (drawn.w, drawn.pad, drawn.h_map);
    let h = h_map + 34.0;
    let max = shades.iter().filter_map(|s| s.value).fold(0.0f64, f64::max);
    let by_code: HashMap<&str, &Shade> = shades.iter().map(|s| (s.code.as_str(), s)).collect();
    let desc = shades
        .iter()
        .map(|s| format!("{}：{}", s.name, s.text))
        .collect::<Vec<_>>()
        .join("；");
    let mut svg = format!(
        r#"<svg class="chart county-map" viewBox="0 0 {w} {h:.0}" role="group" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        esc(title),
        esc(&desc)
    );
    let mut labels = String::new();
    for (c, (d, (cx, cy))) in map.counties.iter().zip(&drawn.counties) {
        let shade = by_code.get(c.code.as_str());
        let class = shade.and_then(|s| s.value).map(|v| class_of(v, max));
        let fill = class.map_or(NO_DATA, |i| CLASSES[i]);
        let name = shade.map_or(c.name.as_str(), |s| s.name.as_str());
        let tip = shade.map_or_else(
            || format!("{name}：{no_data}"),
            |s| format!("{name}：{}", s.text),
        );
        let path = format!(
            r##"<path d="{d}" fill="{fill}" stroke="#fff" stroke-width="1.2"><title>{}</title></path>"##,
            esc(&tip)
        );
        match shade.filter(|s| !s.href.is_empty()) {
            Some(s) => {
                let _ = write!(
                    svg,
                    r#"<a href="{}" aria-label="{}">{path}</a>"#,
                    esc(&s.href),
                    esc(&tip)
                );
            }
            None => svg.push_str(&path),
        }
        // Names on the two darkest blues are white, elsewhere dark: both above 4.5:1.
        let ink = if class.is_some_and(|i| i >= 3) {
            "light"
        } else {
            "dark"
        };
        let _ = write!(
            labels,
            r#"<text class="map-label {ink}" x="{cx:.1}" y="{cy:.1}" text-anchor="middle" aria-hidden="true">{}</text>"#,
            esc(short_name(name))
        );
    }
    svg.push_str(&labels);
    // The legend: each class's range, then no data.
    let step = max / CLASSES.len() as f64;
    let ly = h_map + 6.0;
    for (i, colour) in CLASSES.iter().enumerate() {
        let x = pad + i as f64 * 78.0;
        let range = if max > 0.0 {
            format!("≤{}", number(step * (i + 1) as f64))
        } else {
            String::new()
        };
        let _ = write!(
            svg,
            r##"<rect x="{x:.1}" y="{ly:.1}" width="16" height="12" fill="{colour}" stroke="#8a96a8" stroke-width=".5"/><text class="legend-text" x="{:.1}" y="{:.1}">{}</text>"##,
            x + 20.0,
            ly + 11.0,
            esc(&range)
        );
    }
    let x = pad + CLASSES.len() as f64 * 78.0;
    let _ = write!(
        svg,
        r##"<rect x="{x:.1}" y="{ly:.1}" width="16" height="12" fill="{NO_DATA}" stroke="#8a96a8" stroke-width=".5"/><text class="legend-text" x="{:.1}" y="{:.1}">{}</text>"##,
        x + 20.0,
        ly + 11.0,
        esc(no_data)
    );
    svg.push_str("</svg>");
    svg
}

/// A county's name as a map label: 乳源瑶族自治县 is written 乳源, as local maps do, and an
/// English name without its District, County or City.
fn short_name(name: &str) -> &str {
    [
        "瑶族自治县",
        " Yao Autonomous County",
        " District",
        " County",
        " City",
    ]
    .iter()
    .find_map(|s| name.strip_suffix(s))
    .unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_map_holds_the_ten_counties_of_shaoguan() {
        let maps = Maps::shipped();
        let m = maps.get("440200").expect("Shaoguan");
        assert_eq!(m.counties.len(), 10);
        let tree = kechuang_domain::region::shipped_regions();
        for c in &m.counties {
            assert!(
                tree.iter()
                    .any(|r| r.code.as_str() == c.code && r.name == c.name),
                "{} {} is a county of the shipped regions",
                c.code,
                c.name
            );
        }
    }

    #[test]
    fn each_county_is_shaded_by_its_value_and_described_in_text() {
        let maps = Maps::shipped();
        let m = maps.get("440200").expect("Shaoguan");
        let shades: Vec<Shade> = m
            .counties
            .iter()
            .enumerate()
            .map(|(i, c)| Shade {
                code: c.code.clone(),
                name: c.name.clone(),
                value: (i > 0).then_some(i as f64 * 10.0),
                text: if i > 0 {
                    format!("{} 家", i * 10)
                } else {
                    "—".into()
                },
                href: format!("/x?region={}", c.code),
            })
            .collect();
        let svg = choropleth(m, &shades, "m", "高新技术企业 <数>", "无数据");
        assert!(svg.contains("&lt;数&gt;"), "the title is escaped");
        assert_eq!(svg.matches("<path").count(), 10);
        assert_eq!(svg.matches("<a href").count(), 10);
        assert!(svg.contains("武江区：无数据") || svg.contains("：—"));
        // The largest value takes the darkest class, no data the grey.
        assert!(svg.contains(CLASSES[4]) && svg.contains(NO_DATA));
        assert!(svg.contains("乳源瑶族自治县：") && svg.contains(">乳源<"));
    }

    #[test]
    fn classes_split_the_range_evenly() {
        assert_eq!(class_of(0.0, 100.0), 0);
        assert_eq!(class_of(20.0, 100.0), 0);
        assert_eq!(class_of(21.0, 100.0), 1);
        assert_eq!(class_of(100.0, 100.0), 4);
        assert_eq!(class_of(5.0, 0.0), 0);
    }
}
