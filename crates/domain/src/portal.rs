//! The public portal's rules: an article's way from draft to publication (a colleague
//! publishes what another wrote), when a published article shows, tags, and how a search
//! query is read (Chinese has no spaces: a run of two or more characters matches as written).

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    Draft,
    /// Sent for review (送审): a colleague publishes it or returns it.
    Review,
    Published,
    Withdrawn,
}

impl ArticleStatus {
    pub const ALL: [Self; 4] = [Self::Draft, Self::Review, Self::Published, Self::Withdrawn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "review",
            Self::Published => "published",
            Self::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Review => "待审核",
            Self::Published => "已发布",
            Self::Withdrawn => "已撤回",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Review => "in review",
            Self::Published => "published",
            Self::Withdrawn => "withdrawn",
        }
    }
    /// Whether the text may be changed: a draft, or an article taken off the portal (which a
    /// change makes a draft again, to be reviewed anew).
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Withdrawn)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Publish,
    Return,
    Withdraw,
}

impl Action {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "submit" => Some(Self::Submit),
            "publish" => Some(Self::Publish),
            "return" => Some(Self::Return),
            "withdraw" => Some(Self::Withdraw),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submit => "submit",
            Self::Publish => "publish",
            Self::Return => "return",
            Self::Withdraw => "withdraw",
        }
    }
}

crate::problems! {
    pub enum ArticleProblem {
        OutOfOrder { status: String, action: String } = "article_step_out_of_order" {
            zh: "文章当前为“{status}”，不能执行 {action}", en: "an article that is {status} cannot {action}",
        },
        OwnReview = "article_own_review" {
            zh: "送审人不能发布或退回自己送审的文章，请由其他同事审核",
            en: "a colleague reviews an article: the person who sent it cannot publish or return it",
        },
        ReasonRequired = "article_return_reason" {
            zh: "退回时请写明理由", en: "write why the article is returned",
        },
        NotEditable { status: String } = "article_locked" {
            zh: "文章当前为“{status}”，不能修改；送审中的文章请先退回", en: "an article that is {status} cannot be changed",
        },
        TitleRequired = "article_title_required" {
            zh: "请填写标题", en: "write a title",
        },
        BodyRequired = "article_body_required" {
            zh: "请填写正文", en: "write the body",
        },
        Category { code: String } = "article_category" {
            zh: "没有栏目 '{code}'", en: "no category '{code}'",
        },
        DocNumber = "article_doc_number" {
            zh: "政策法规类文章请填写文号，如 韶科〔2018〕12号", en: "a policy needs its document number (文号)",
        },
        PublishAt { raw: String } = "article_publish_at" {
            zh: "发布时间 '{raw}' 应如 2026-12-05 09:00", en: "publication time '{raw}' should read like 2026-12-05 09:00",
        },
        Expiry { raw: String } = "article_expiry" {
            zh: "有效期至 '{raw}' 应为发布之后的日期", en: "expiry '{raw}' must be a date after publication",
        },
        TooManyTags = "article_too_many_tags" {
            zh: "标签最多 10 个", en: "at most 10 tags",
        },
        TagTooLong { tag: String } = "article_tag_too_long" {
            zh: "标签 '{tag}' 超过 20 个字", en: "tag '{tag}' is longer than 20 characters",
        },
        Link { kind: String, target: String } = "article_link" {
            zh: "关联对象 {kind} '{target}' 不存在", en: "no {kind} '{target}' to link to",
        },
    }
}

/// The status an action leads to. `by` is the person acting; `sent_by` who sent the article
/// for review: a colleague, never the sender, publishes or returns it (four eyes).
pub fn step(
    status: ArticleStatus,
    action: Action,
    by: &str,
    sent_by: Option<&str>,
    reason: &str,
) -> Result<ArticleStatus, ArticleProblem> {
    use ArticleStatus as S;
    let out_of_order = || ArticleProblem::OutOfOrder {
        status: status.name_zh().to_owned(),
        action: action.as_str().to_owned(),
    };
    match (status, action) {
        (S::Draft | S::Withdrawn, Action::Submit) => Ok(S::Review),
        (S::Review, Action::Publish | Action::Return) => {
            if sent_by == Some(by) {
                return Err(ArticleProblem::OwnReview);
            }
            if action == Action::Return {
                if reason.trim().is_empty() {
                    return Err(ArticleProblem::ReasonRequired);
                }
                Ok(S::Draft)
            } else {
                Ok(S::Published)
            }
        }
        (S::Published, Action::Withdraw) => Ok(S::Withdrawn),
        _ => Err(out_of_order()),
    }
}

/// The day in China at an instant (UTC+8 all year).
pub fn china_day(at: DateTime<Utc>) -> NaiveDate {
    (at + chrono::Duration::hours(8)).date_naive()
}

/// Whether the public sees an article at `now`: published, its time come, not expired (it
/// shows through its expiry day).
pub fn visible(
    status: ArticleStatus,
    publish_at: Option<DateTime<Utc>>,
    expires_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> bool {
    status == ArticleStatus::Published
        && publish_at.is_some_and(|p| p <= now)
        && expires_on.is_none_or(|e| china_day(now) <= e)
}

/// A publication time as typed, in China's time: 2026-12-05 09:00, 2026-12-05T09:00, or a
/// date alone (its midnight). Blank means now.
pub fn parse_publish_at(raw: &str) -> Result<Option<DateTime<Utc>>, ArticleProblem> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let bad = || ArticleProblem::PublishAt { raw: s.to_owned() };
    let (day, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let day = crate::text::written_date(day).ok_or_else(bad)?;
    let time = match time {
        None | Some("") => NaiveTime::MIN,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .map_err(|_| bad())?,
    };
    let local = NaiveDateTime::new(day, time);
    Ok(Some(DateTime::from_naive_utc_and_offset(
        local - chrono::Duration::hours(8),
        Utc,
    )))
}

/// Tags as typed, separated by commas (full-width or not), 、, semicolons or spaces: trimmed,
/// each once, in the order written.
pub fn parse_tags(raw: &str) -> Result<Vec<String>, ArticleProblem> {
    let mut tags: Vec<String> = Vec::new();
    for t in raw.split([',', '，', '、', ';', '；', ' ', '\u{3000}', '\n', '\t']) {
        let t = t.trim().trim_start_matches('#');
        if t.is_empty() || tags.iter().any(|x| x == t) {
            continue;
        }
        if t.chars().count() > 20 {
            return Err(ArticleProblem::TagTooLong { tag: t.to_owned() });
        }
        tags.push(t.to_owned());
    }
    if tags.len() > 10 {
        return Err(ArticleProblem::TooManyTags);
    }
    Ok(tags)
}

/// A search query read as words: split at spaces and punctuation, each word of two or more
/// characters kept (lower-cased) — one character alone matches nearly every Chinese text, so
/// it is set aside and named back to the searcher. At most eight words.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Query {
    pub words: Vec<String>,
    pub ignored: Vec<String>,
}

pub fn search_query(raw: &str) -> Query {
    let mut q = Query::default();
    for w in raw
        .split(|c: char| {
            c.is_whitespace() || (c.is_ascii_punctuation() && c != '-') || is_cjk_punct(c)
        })
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        let w = w.to_lowercase();
        if w.chars().count() < 2 {
            if !q.ignored.contains(&w) {
                q.ignored.push(w);
            }
        } else if !q.words.contains(&w) && q.words.len() < 8 {
            q.words.push(w);
        }
    }
    q
}

fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF01}'..='\u{FF0F}' | '\u{FF1A}'..='\u{FF20}' | '“' | '”' | '‘' | '’' | '…' | '—' | '·')
}

/// An article matches when every word is in its title, summary or body.
pub fn matches(words: &[String], title: &str, summary: &str, body: &str) -> bool {
    let (t, s, b) = (
        title.to_lowercase(),
        summary.to_lowercase(),
        body.to_lowercase(),
    );
    !words.is_empty()
        && words
            .iter()
            .all(|w| t.contains(w.as_str()) || s.contains(w.as_str()) || b.contains(w.as_str()))
}

/// How well an article's title answers the query: how many of the words it holds. Results
/// are shown most title words first, then newest first.
pub fn title_hits(words: &[String], title: &str) -> usize {
    let t = title.to_lowercase();
    words.iter().filter(|w| t.contains(w.as_str())).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("instant")
            .with_timezone(&Utc)
    }

    #[test]
    fn a_colleague_publishes_what_another_sent() {
        use ArticleStatus as S;
        let sent = step(S::Draft, Action::Submit, "li", None, "").expect("submit");
        assert_eq!(sent, S::Review);
        assert_eq!(
            step(S::Review, Action::Publish, "li", Some("li"), ""),
            Err(ArticleProblem::OwnReview)
        );
        assert_eq!(
            step(S::Review, Action::Publish, "wang", Some("li"), ""),
            Ok(S::Published)
        );
        assert_eq!(
            step(S::Review, Action::Return, "wang", Some("li"), " "),
            Err(ArticleProblem::ReasonRequired)
        );
        assert_eq!(
            step(S::Review, Action::Return, "wang", Some("li"), "文号有误"),
            Ok(S::Draft)
        );
        assert_eq!(
            step(S::Published, Action::Withdraw, "wang", Some("li"), ""),
            Ok(S::Withdrawn)
        );
        assert!(step(S::Draft, Action::Publish, "wang", None, "").is_err());
        assert!(step(S::Published, Action::Submit, "wang", None, "").is_err());
        assert!(S::Withdrawn.editable() && S::Draft.editable());
        assert!(!S::Review.editable() && !S::Published.editable());
    }

    #[test]
    fn published_articles_show_from_their_time_through_their_expiry_day() {
        let p = Some(at("2026-12-05T01:00:00Z"));
        let e = NaiveDate::from_ymd_opt(2026, 12, 31);
        let s = ArticleStatus::Published;
        assert!(!visible(s, p, e, at("2026-12-05T00:59:59Z")));
        assert!(visible(s, p, e, at("2026-12-05T01:00:00Z")));
        // 23:59 on the expiry day in China is 15:59 UTC.
        assert!(visible(s, p, e, at("2026-12-31T15:59:00Z")));
        assert!(!visible(s, p, e, at("2026-12-31T16:00:00Z")));
        assert!(!visible(
            ArticleStatus::Review,
            p,
            None,
            at("2027-01-01T00:00:00Z")
        ));
        assert!(!visible(s, None, None, at("2027-01-01T00:00:00Z")));
    }

    #[test]
    fn publication_times_are_read_in_china_time() {
        assert_eq!(
            parse_publish_at("2026-12-05 09:00"),
            Ok(Some(at("2026-12-05T01:00:00Z")))
        );
        assert_eq!(
            parse_publish_at("2026年12月5日"),
            Ok(Some(at("2026-12-04T16:00:00Z")))
        );
        assert_eq!(
            parse_publish_at("2026-12-05T09:30:15"),
            Ok(Some(at("2026-12-05T01:30:15Z")))
        );
        assert_eq!(parse_publish_at("  "), Ok(None));
        assert!(parse_publish_at("下周一").is_err());
        assert!(parse_publish_at("2026-12-05 25:00").is_err());
    }

    #[test]
    fn tags_split_on_any_separator() {
        assert_eq!(
            parse_tags("高新技术企业，研发费用、 #奖补;高新技术企业").expect("tags"),
            vec!["高新技术企业", "研发费用", "奖补"]
        );
        assert!(parse_tags(&"标".repeat(21)).is_err());
        let many: Vec<String> = (0..11).map(|i| format!("t{i}")).collect();
        assert_eq!(
            parse_tags(&many.join(",")),
            Err(ArticleProblem::TooManyTags)
        );
    }

    #[test]
    fn single_characters_are_set_aside_in_a_query() {
        let q = search_query("高新 企业 的，认定！ R&D");
        assert_eq!(q.words, vec!["高新", "企业", "认定"]);
        assert_eq!(q.ignored, vec!["的", "r", "d"]);
        assert!(search_query("").words.is_empty());
    }

    #[test]
    fn every_word_must_match_and_titles_rank_first() {
        let q = search_query("研发 补助");
        assert!(matches(&q.words, "研发费用后补助", "", ""));
        assert!(matches(&q.words, "通知", "关于研发", "后补助的说明"));
        assert!(!matches(&q.words, "研发", "", ""));
        assert_eq!(title_hits(&q.words, "研发费用后补助"), 2);
        assert_eq!(title_hits(&q.words, "关于研发的通知"), 1);
    }

    proptest! {
        /// A query never keeps a one-character word, and every kept word is in the query.
        #[test]
        fn kept_words_are_long_and_come_from_the_query(raw in "\\PC{0,40}") {
            let q = search_query(&raw);
            let lower = raw.to_lowercase();
            for w in &q.words {
                prop_assert!(w.chars().count() >= 2);
                prop_assert!(lower.contains(w.as_str()));
            }
            prop_assert!(q.words.len() <= 8);
        }

        /// An article whose title holds the query's words is found by it.
        #[test]
        fn a_title_is_found_by_its_own_words(title in "[\\u{4e00}-\\u{4e80}a-z]{2,12}") {
            let q = search_query(&title);
            prop_assert!(matches(&q.words, &title, "", ""));
            prop_assert_eq!(title_hits(&q.words, &title), q.words.len());
        }

        /// Once published, an article shows for an interval and never again after expiry.
        #[test]
        fn visibility_is_one_interval(offset in 0i64..100, exp in 0i64..100, probe in 0i64..200) {
            let base = at("2026-01-01T00:00:00Z");
            let p = base + chrono::Duration::days(offset);
            let e = china_day(base + chrono::Duration::days(exp));
            let now = base + chrono::Duration::days(probe);
            let shown = visible(ArticleStatus::Published, Some(p), Some(e), now);
            prop_assert_eq!(shown, p <= now && china_day(now) <= e);
        }
    }
}
