//! Charts drawn on the server as SVG: they need no script, print as they look, and work on
//! an intranet with no internet. Every mark carries a `<title>` so hovering shows its value.

use crate::format::number;
use chrono::{Datelike, NaiveDate};
use kechuang_domain::progress::Status;
use std::fmt::Write;

pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

pub fn status_class(s: Status) -> &'static str {
    match s {
        Status::Achieved => "achieved",
        Status::OnTrack => "on_track",
        Status::Behind => "behind",
        Status::NoData => "no_data",
        Status::NoTarget => "no_target",
    }
}

/// A bar of completion with a vertical mark at 序时进度.
pub fn progress_bar(completion: Option<f64>, elapsed: f64, status: Status, title: &str) -> String {
    let w = 160.0;
    let fill = completion.unwrap_or(0.0).clamp(0.0, 1.0) * w;
    let mark = elapsed.clamp(0.0, 1.0) * w;
    format!(
        r#"<svg class="bar" viewBox="0 0 {w} 16" width="{w}" height="16" role="img" aria-label="{t}"><title>{t}</title><rect class="track" x="0" y="3" width="{w}" height="10" rx="5"/><rect class="fill {c}" x="0" y="3" width="{fill:.1}" height="10" rx="5"/><line class="elapsed" x1="{mark:.1}" x2="{mark:.1}" y1="0" y2="16"/></svg>"#,
        t = esc(title),
        c = status_class(status),
    )
}

/// A bar of a share (0–1), such as a coverage rate, labelled for screen readers.
pub fn share_bar(share: f64, title: &str) -> String {
    let w = 120.0;
    let fill = share.clamp(0.0, 1.0) * w;
    format!(
        r#"<svg class="bar" viewBox="0 0 {w} 16" width="{w}" height="16" role="img" aria-label="{t}"><title>{t}</title><rect class="track" x="0" y="3" width="{w}" height="10" rx="5"/><rect class="fill on_track" x="0" y="3" width="{fill:.1}" height="10" rx="5"/></svg>"#,
        t = esc(title),
    )
}

/// A small trend line; the target, where it is in range, as a faint dashed line.
pub fn sparkline(values: &[f64], target: Option<f64>, status: Status) -> String {
    let (w, h, pad) = (110.0, 28.0, 3.0);
    if values.is_empty() {
        return format!(
            r#"<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true"></svg>"#
        );
    }
    let mut lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if let Some(t) = target {
        lo = lo.min(t);
        hi = hi.max(t);
    }
    if (hi - lo).abs() < 1e-12 {
        hi = lo + 1.0;
    }
    let y = |v: f64| h - pad - (v - lo) / (hi - lo) * (h - 2.0 * pad);
    let step = if values.len() > 1 {
        (w - 2.0 * pad) / (values.len() - 1) as f64
    } else {
        0.0
    };
    let mut pts = String::new();
    for (i, v) in values.iter().enumerate() {
        let _ = write!(pts, "{:.1},{:.1} ", pad + i as f64 * step, y(*v));
    }
    let mut svg = format!(
        r#"<svg class="spark {}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" aria-hidden="true">"#,
        status_class(status)
    );
    if let Some(t) = target {
        let _ = write!(
            svg,
            r#"<line class="target" x1="0" x2="{w}" y1="{0:.1}" y2="{0:.1}"/>"#,
            y(t)
        );
    }
    let _ = write!(svg, r#"<polyline points="{}"/>"#, pts.trim_end());
    if let Some(last) = values.last() {
        let _ = write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="2.5"/>"#,
            pad + (values.len() - 1) as f64 * step,
            y(*last)
        );
    }
    svg.push_str("</svg>");
    svg
}

pub struct LineChart<'a> {
    pub points: Vec<(NaiveDate, String, f64)>,
    pub baseline: Option<(NaiveDate, f64)>,
    pub target: Option<(f64, &'a str)>,
    pub stretch: Option<(f64, &'a str)>,
    pub projection: Option<(NaiveDate, f64, &'a str)>,
    pub milestones: Vec<(NaiveDate, f64)>,
    pub milestone_label: &'a str,
    pub start: NaiveDate,
    pub deadline: NaiveDate,
    pub unit: &'a str,
    /// What the chart shows, for those who do not see it.
    pub title: &'a str,
    /// The target this one continues in an earlier plan: that plan's start, the target's
    /// deadline and value, and how to name it. The chart then spans both plans.
    pub earlier: Option<(NaiveDate, NaiveDate, f64, String)>,
}

/// The target page's time series: observed line, target and stretch lines, projection.
pub fn line_chart(c: &LineChart<'_>) -> String {
    let (w, h) = (760.0, 300.0);
    let (left, right, top, bottom) = (64.0, 96.0, 16.0, 34.0);
    let mut x0 = c.start;
    let mut x1 = c.deadline;
    for (d, _, _) in &c.points {
        x0 = x0.min(*d);
        x1 = x1.max(*d);
    }
    if let Some((d, _)) = c.baseline {
        x0 = x0.min(d);
    }
    if let Some((start, _, _, _)) = &c.earlier {
        x0 = x0.min(*start);
    }
    x0 = NaiveDate::from_ymd_opt(x0.year(), 1, 1).unwrap_or(x0);
    let mut vals: Vec<f64> = c.points.iter().map(|p| p.2).collect();
    vals.extend(c.baseline.map(|b| b.1));
    vals.extend(c.target.map(|t| t.0));
    vals.extend(c.stretch.map(|t| t.0));
    vals.extend(c.projection.map(|p| p.1));
    vals.extend(c.milestones.iter().map(|m| m.1));
    vals.extend(c.earlier.as_ref().map(|e| e.2));
    let lo = vals.iter().copied().fold(0.0f64, f64::min);
    let (hi, divisions) = nice_axis(vals.iter().copied().fold(0.0f64, f64::max) * 1.08);
    let span_days = ((x1 - x0).num_days().max(1)) as f64;
    let x = |d: NaiveDate| left + (d - x0).num_days() as f64 / span_days * (w - left - right);
    let y = |v: f64| top + (hi - v) / (hi - lo).max(1e-9) * (h - top - bottom);
    // The figures themselves, read out by a screen reader instead of the drawing.
    let mut desc: Vec<String> = c
        .points
        .iter()
        .map(|(_, label, v)| format!("{label}: {}", with_unit_text(*v, c.unit)))
        .collect();
    if let Some((t, label)) = c.target {
        desc.push(format!("{label}: {}", with_unit_text(t, c.unit)));
    }
    if let Some((_, _, v, label)) = &c.earlier {
        desc.push(format!("{label}: {}", with_unit_text(*v, c.unit)));
    }
    let mut s = format!(
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" preserveAspectRatio="xMidYMid meet"><title>{}</title><desc>{}</desc>"#,
        esc(c.title),
        esc(&desc.join("; "))
    );
    // Horizontal grid with values.
    for i in 0..=divisions {
        let v = lo + (hi - lo) * i as f64 / divisions as f64;
        let _ = write!(
            s,
            r#"<line class="grid" x1="{left}" x2="{gx:.1}" y1="{gy:.1}" y2="{gy:.1}"/><text class="axis" x="{tx:.1}" y="{ty:.1}" text-anchor="end">{label}</text>"#,
            gx = w - right,
            gy = y(v),
            tx = left - 6.0,
            ty = y(v) + 4.0,
            label = number(v)
        );
    }
    // One tick per year.
    for year in x0.year()..=x1.year() {
        if let Some(d) = NaiveDate::from_ymd_opt(year, 7, 1) {
            if d <= x1 {
                let _ = write!(
                    s,
                    r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{year}</text>"#,
                    x(d),
                    h - 12.0
                );
            }
        }
        if let Some(d) = NaiveDate::from_ymd_opt(year, 1, 1) {
            let _ = write!(
                s,
                r#"<line class="tick" x1="{0:.1}" x2="{0:.1}" y1="{1:.1}" y2="{2:.1}"/>"#,
                x(d),
                h - bottom,
                h - bottom + 5.0
            );
        }
    }
    let _ = write!(
        s,
        r#"<line class="axisline" x1="{left}" x2="{:.1}" y1="{1:.1}" y2="{1:.1}"/>"#,
        w - right,
        h - bottom
    );
    // The earlier plan's target over its own years, and where this plan begins.
    if let Some((from, to, v, label)) = &c.earlier {
        let _ = write!(
            s,
            r#"<g class="earlier"><title>{t}</title><line x1="{:.1}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}"/><text x="{:.1}" y="{:.1}">{t}</text></g><line class="plan-start" x1="{bx:.1}" x2="{bx:.1}" y1="{top}" y2="{by:.1}"/>"#,
            x(*from),
            x(*to),
            x(*from) + 4.0,
            y(*v) - 6.0,
            ly = y(*v),
            t = esc(&format!("{label} {}", number(*v))),
            bx = x(c.start),
            by = h - bottom,
        );
    }
    // Deadline.
    let _ = write!(
        s,
        r#"<line class="deadline" x1="{0:.1}" x2="{0:.1}" y1="{top}" y2="{1:.1}"/>"#,
        x(c.deadline),
        h - bottom
    );
    for (line, class) in [(c.target, "target"), (c.stretch, "stretch")] {
        if let Some((v, label)) = line {
            let _ = write!(
                s,
                r#"<g class="{class}"><title>{t}</title><line x1="{left}" x2="{lx:.1}" y1="{ly:.1}" y2="{ly:.1}"/><text x="{tx:.1}" y="{ty:.1}">{t}</text></g>"#,
                lx = w - right,
                ly = y(v),
                tx = w - right + 6.0,
                ty = y(v) + 4.0,
                t = esc(&format!("{label} {}", number(v))),
            );
        }
    }
    if let (Some((d, v, label)), Some((ld, _, lv))) = (c.projection, c.points.last()) {
        let _ = write!(
            s,
            r#"<g class="projection"><title>{t}</title><line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/><circle cx="{:.1}" cy="{:.1}" r="4"/></g>"#,
            x(*ld),
            y(*lv),
            x(d),
            y(v),
            x(d),
            y(v),
            t = esc(&format!("{label} {}", number(v))),
        );
    }
    for (d, v) in &c.milestones {
        let (cx, cy) = (x(*d), y(*v));
        let _ = write!(
            s,
            r#"<path class="milestone" d="M{:.1} {:.1} l6 6 l-6 6 l-6 -6 z"><title>{}</title></path>"#,
            cx,
            cy - 6.0,
            esc(&format!(
                "{} {}: {}",
                c.milestone_label,
                d.format("%Y-%m-%d"),
                number(*v)
            ))
        );
    }
    if let Some((d, v)) = c.baseline {
        let _ = write!(
            s,
            r#"<circle class="baseline" cx="{:.1}" cy="{:.1}" r="5"><title>{}</title></circle>"#,
            x(d),
            y(v),
            esc(&format!("{} {}", d.year(), number(v)))
        );
    }
    if !c.points.is_empty() {
        let pts: Vec<String> = c
            .points
            .iter()
            .map(|(d, _, v)| format!("{:.1},{:.1}", x(*d), y(*v)))
            .collect();
        let _ = write!(
            s,
            r#"<polyline class="series" points="{}"/>"#,
            pts.join(" ")
        );
        for (d, label, v) in &c.points {
            let _ = write!(
                s,
                r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="4"><title>{}</title></circle>"#,
                x(*d),
                y(*v),
                esc(&format!(
                    "{label}: {}{}",
                    number(*v),
                    if c.unit.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", c.unit)
                    }
                ))
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars, one per county; a dashed line where a uniform target applies.
pub fn county_bars(
    rows: &[(String, Option<f64>, Status)],
    target: Option<f64>,
    unit: &str,
    title: &str,
) -> String {
    let (w, row_h, label_w, top) = (760.0, 26.0, 130.0, 8.0);
    let h = top * 2.0 + row_h * rows.len() as f64 + 18.0;
    let max = rows
        .iter()
        .filter_map(|r| r.1)
        .chain(target)
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let (hi, _) = nice_axis(max);
    let scale = |v: f64| (v.max(0.0) / hi) * (w - label_w - 90.0);
    let desc = rows
        .iter()
        .map(|(name, v, _)| match v {
            Some(v) => format!("{name}: {}", with_unit_text(*v, unit)),
            None => format!("{name}: —"),
        })
        .collect::<Vec<_>>()
        .join("; ");
    let mut s = format!(
        r#"<svg class="chart bars" viewBox="0 0 {w} {h:.0}" role="img"><title>{}</title><desc>{}</desc>"#,
        esc(title),
        esc(&desc)
    );
    for (i, (name, value, status)) in rows.iter().enumerate() {
        let yy = top + i as f64 * row_h;
        let _ = write!(
            s,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            label_w - 8.0,
            yy + 16.0,
            esc(name)
        );
        match value {
            Some(v) => {
                let _ = write!(
                    s,
                    r#"<rect class="fill {}" x="{label_w}" y="{:.1}" width="{:.1}" height="16" rx="3"><title>{}</title></rect><text class="val" x="{:.1}" y="{:.1}">{}</text>"#,
                    status_class(*status),
                    yy + 4.0,
                    scale(*v).max(1.0),
                    esc(&format!(
                        "{name}: {}{}",
                        number(*v),
                        if unit.is_empty() {
                            String::new()
                        } else {
                            format!(" {unit}")
                        }
                    )),
                    label_w + scale(*v).max(1.0) + 6.0,
                    yy + 16.0,
                    esc(&number(*v))
                );
            }
            None => {
                let _ = write!(
                    s,
                    r#"<text class="val muted" x="{:.1}" y="{:.1}">—</text>"#,
                    label_w + 4.0,
                    yy + 16.0
                );
            }
        }
    }
    if let Some(t) = target {
        let tx = label_w + scale(t);
        let _ = write!(
            s,
            r#"<line class="targetline" x1="{tx:.1}" x2="{tx:.1}" y1="{top}" y2="{:.1}"><title>{}</title></line>"#,
            h - 18.0,
            esc(&number(t))
        );
    }
    s.push_str("</svg>");
    s
}

/// Rounds an axis maximum up to a round multiple of a power of ten, with a number of
/// divisions that gives round tick values (2.5 → 0.5 steps, not 0.625).
fn nice_axis(v: f64) -> (f64, usize) {
    if v <= 0.0 {
        return (1.0, 4);
    }
    let mag = 10f64.powf(v.log10().floor());
    [
        (1.0, 5),
        (1.2, 4),
        (1.5, 5),
        (2.0, 4),
        (2.5, 5),
        (3.0, 6),
        (4.0, 4),
        (5.0, 5),
        (6.0, 6),
        (8.0, 4),
        (10.0, 5),
    ]
    .iter()
    .map(|(m, d)| (m * mag, *d))
    .find(|(c, _)| *c >= v)
    .unwrap_or((10.0 * mag, 5))
}

/// A value with its unit, as the charts' text alternatives read it.
fn with_unit_text(v: f64, unit: &str) -> String {
    crate::format::with_unit(v, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_escaped() {
        let svg = progress_bar(Some(0.5), 0.4, Status::OnTrack, "<b>&");
        assert!(svg.contains("&lt;b&gt;&amp;"));
        assert!(!svg.contains("<b>"));
    }

    #[test]
    fn nice_axis_maxima() {
        assert_eq!(nice_axis(37.0), (40.0, 4));
        assert_eq!(nice_axis(58.0), (60.0, 6));
        assert_eq!(nice_axis(130.0), (150.0, 5));
        assert_eq!(nice_axis(2.2), (2.5, 5));
    }
}
