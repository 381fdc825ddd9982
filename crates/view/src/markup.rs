//! Article bodies: CommonMark (with tables) rendered to HTML on the server. Raw HTML in the
//! text is shown as text, never passed through; a link goes only to the web, mail or this
//! site, an image only to a file this site stores; headings start at level 2 under the page's
//! own title. So nothing an author writes can add script, styles or a foreign resource.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// A link's address may be followed: http(s), mail, or a path or anchor on this site.
fn safe_link(url: &str) -> bool {
    let u = url.trim();
    let lower = u.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("mailto:")
    {
        return true;
    }
    // A relative address has no scheme: no ':' before the first '/', '?' or '#'.
    let head = u.split(['/', '?', '#']).next().unwrap_or_default();
    !head.contains(':') && !u.contains('\\')
}

/// An image only from this site (the article's own attachments).
fn safe_image(url: &str) -> bool {
    let u = url.trim();
    u.starts_with('/') && !u.starts_with("//") && !u.contains('\\')
}

fn shifted(level: HeadingLevel) -> HeadingLevel {
    match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// The body as HTML, safe to place in a page as it is.
pub fn render(text: &str) -> String {
    let mut dropped_images = 0usize;
    let events = Parser::new_ext(text, options()).filter_map(|e| {
        Some(match e {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => return None,
            Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
                level: shifted(level),
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            }),
            Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(shifted(level))),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => Event::Start(Tag::Link {
                link_type,
                dest_url: if safe_link(&dest_url) {
                    dest_url
                } else {
                    CowStr::Borrowed("#")
                },
                title,
                id,
            }),
            Event::Start(Tag::Image { ref dest_url, .. }) if !safe_image(dest_url) => {
                // Its alt text stays, as plain text.
                dropped_images += 1;
                return None;
            }
            Event::End(TagEnd::Image) if dropped_images > 0 => {
                dropped_images -= 1;
                return None;
            }
            other => other,
        })
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

/// The body's text without markup, cut to `max` characters (with an ellipsis): for a share
/// card's description or a list's excerpt.
pub fn plain(text: &str, max: usize) -> String {
    let mut out = String::new();
    for e in Parser::new_ext(text, options()) {
        match e {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_)) => out.push(' '),
            _ => {}
        }
    }
    let squeezed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    if squeezed.chars().count() > max {
        let mut cut: String = squeezed.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    } else {
        squeezed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_shown_as_text() {
        let html = render("<script>alert(1)</script>\n\n正文 <b onclick=x>粗</b>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b "), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn only_safe_links_and_own_images_survive() {
        let html = render(
            "[a](javascript:alert(1)) [b](https://www.sg.gov.cn/) [c](/calls/3) \
             [d](JaVaScRiPt:x) ![e](https://evil.example/x.png) ![f](/portal/files/2) \
             [g](data:text/html,x)",
        );
        assert!(!html.to_lowercase().contains("javascript"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
        assert!(html.contains("href=\"https://www.sg.gov.cn/\""));
        assert!(html.contains("href=\"/calls/3\""));
        assert!(!html.contains("evil.example"), "{html}");
        assert!(html.contains(">e<") || html.contains(" e "), "{html}");
        assert!(
            html.contains("<img src=\"/portal/files/2\" alt=\"f\""),
            "{html}"
        );
    }

    #[test]
    fn headings_sit_under_the_page_title_and_tables_render() {
        let html = render("# 一、申报条件\n\n| 项目 | 金额 |\n|---|---|\n| 奖补 | 10万元 |\n");
        assert!(html.contains("<h2>一、申报条件</h2>"), "{html}");
        assert!(
            html.contains("<table>") && html.contains("<td>10万元</td>"),
            "{html}"
        );
    }

    #[test]
    fn plain_text_is_cut_with_an_ellipsis() {
        assert_eq!(
            plain("# 标题\n\n**正文**第一段。\n\n第二段", 100),
            "标题 正文第一段。 第二段"
        );
        assert_eq!(plain("一二三四五六", 4), "一二三…");
    }
}
