//! The innovation competition (中国创新创业大赛韶关分赛区, plan §四(五)3): entries by track and
//! industry, screened for eligibility, scored by experts in rounds (初赛, 复赛, 决赛), ranked per
//! track, the best advancing; the final's ranking gives the prizes. The rules here: which track
//! an enterprise fits, the order of rounds, ranking with ties, who advances and who wins what.

use crate::money::Fen;
use chrono::NaiveDate;
use serde::Serialize;

/// 初创组 and 成长组, as the national competition divides its enterprise entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Track {
    Startup,
    Growth,
}

impl Track {
    pub const ALL: [Self; 2] = [Self::Startup, Self::Growth];
    pub fn code(self) -> &'static str {
        match self {
            Self::Startup => "startup",
            Self::Growth => "growth",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Startup => "初创组",
            Self::Growth => "成长组",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Startup => "Start-up track",
            Self::Growth => "Growth track",
        }
    }
    /// By code or Chinese name (初创组, 初创企业组, 初创).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|t| {
            let zh = t.name_zh().trim_end_matches('组');
            t.code() == s || t.name_zh() == s || zh == s || s.strip_suffix("企业组") == Some(zh)
        })
    }
}

/// The industries the national competition groups its entries by.
pub const INDUSTRIES: [(&str, &str); 6] = [
    ("电子信息", "Electronics and information"),
    ("生物医药", "Biomedicine"),
    ("新材料", "New materials"),
    ("先进制造", "Advanced manufacturing"),
    (
        "新能源及节能环保",
        "New energy, energy saving and environment",
    ),
    ("互联网和移动互联网", "Internet and mobile internet"),
];

/// The industry as written (a name from [`INDUSTRIES`], full-width spaces and all), if known.
pub fn industry(s: &str) -> Option<&'static str> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    INDUSTRIES
        .iter()
        .find(|(zh, en)| *zh == s || en.eq_ignore_ascii_case(&s))
        .map(|(zh, _)| *zh)
}

pub fn industry_en(zh: &str) -> &'static str {
    INDUSTRIES
        .iter()
        .find(|(z, _)| *z == zh)
        .map(|(_, en)| *en)
        .unwrap_or("")
}

/// 初赛, 复赛, 决赛 — taken in this order; a small field may go from the preliminary straight to
/// the final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Preliminary,
    Semifinal,
    Final,
}

impl Stage {
    pub const ALL: [Self; 3] = [Self::Preliminary, Self::Semifinal, Self::Final];
    pub fn code(self) -> &'static str {
        match self {
            Self::Preliminary => "preliminary",
            Self::Semifinal => "semifinal",
            Self::Final => "final",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Preliminary => "初赛",
            Self::Semifinal => "复赛",
            Self::Final => "决赛",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Preliminary => "Preliminary round",
            Self::Semifinal => "Semi-final",
            Self::Final => "Final",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|x| x.code() == s || x.name_zh() == s)
    }
}

/// Where an entry stands before the rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// Registered; the bureau's eligibility screening (资格审查) is to come.
    Registered,
    Eligible,
    Ineligible,
}

impl EntryStatus {
    pub const ALL: [Self; 3] = [Self::Registered, Self::Eligible, Self::Ineligible];
    pub fn code(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Eligible => "eligible",
            Self::Ineligible => "ineligible",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Registered => "待资格审查",
            Self::Eligible => "资格审查通过",
            Self::Ineligible => "资格审查未通过",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Registered => "Awaiting eligibility screening",
            Self::Eligible => "Eligible",
            Self::Ineligible => "Not eligible",
        }
    }
}

crate::problems! {
    /// Why a competition step is refused.
    pub enum CompetitionProblem {
        Required { field: String } = "required" { zh: "请填写{field}", en: "{field} is required" },
        Year { raw: String } = "competition_year" {
            zh: "届次年份「{raw}」无效", en: "year '{raw}' is not valid",
        },
        NotADate { raw: String } = "competition_date" {
            zh: "「{raw}」不是有效日期", en: "'{raw}' is not a date",
        },
        NotACounty { raw: String } = "competition_county" {
            zh: "「{raw}」不是本市的县（市、区）", en: "'{raw}' is not a county of the city",
        },
        NotPrizeProgramme { code: String } = "competition_programme" {
            zh: "资金项目「{code}」不能支付大赛奖金：须为本局管理、带参赛表单和评分细则的奖补类项目",
            en: "programme '{code}' cannot pay competition prizes: it must be a reward programme of yours with an entry form and a rubric",
        },
        PrizeNotEligible { name: String, rule: String } = "competition_prize_not_eligible" {
            zh: "{name} 不符合资金项目的条件（{rule}），未创建批次", en: "{name} does not meet the programme's rule ({rule}); nothing was written",
        },
        TrackUnknown { track: String } = "competition_track_unknown" {
            zh: "组别「{track}」无效，应为初创组或成长组",
            en: "track '{track}' is not known: start-up or growth",
        },
        IndustryUnknown { industry: String } = "competition_industry_unknown" {
            zh: "行业「{industry}」无效，应为电子信息、生物医药、新材料、先进制造、新能源及节能环保、互联网和移动互联网之一",
            en: "industry '{industry}' is not one of the competition's six",
        },
        StartupTooOld { since: NaiveDate, registered: NaiveDate } = "competition_track_startup" {
            zh: "初创组限 {since} （含）以后注册的企业；本企业注册于 {registered}，请报成长组",
            en: "the start-up track is for enterprises registered on or after {since}; this one was registered on {registered}: enter the growth track",
        },
        GrowthTooYoung { since: NaiveDate, registered: NaiveDate } = "competition_track_growth" {
            zh: "成长组限 {since} 以前注册的企业；本企业注册于 {registered}，请报初创组",
            en: "the growth track is for enterprises registered before {since}; this one was registered on {registered}: enter the start-up track",
        },
        TeamGrowth = "competition_team_startup_only" {
            zh: "团队尚未注册企业，只能报初创组",
            en: "a team without a registered enterprise enters the start-up track",
        },
        RegistrationClosed { closes: NaiveDate } = "competition_registration_closed" {
            zh: "报名已于 {closes} 截止，或比赛已开始", en: "registration closed on {closes}, or the rounds have begun",
        },
        RegistrationNotOpen { opens: NaiveDate } = "competition_registration_not_open" {
            zh: "报名自 {opens} 开始", en: "registration opens on {opens}",
        },
        AlreadyEntered = "competition_already_entered" {
            zh: "本企业已报名本届大赛", en: "this enterprise has entered this competition already",
        },
        Dates { opens: NaiveDate, closes: NaiveDate } = "competition_dates" {
            zh: "报名截止日 {closes} 早于开始日 {opens}", en: "registration closes on {closes}, before it opens on {opens}",
        },
        PrizeLine { line: usize, text: String } = "competition_prize_line" {
            zh: "奖项第 {line} 行「{text}」应写作「名称 名额 金额」，如「一等奖 1 20万元」",
            en: "prize line {line} '{text}' should read 'name count amount', e.g. '一等奖 1 20万元'",
        },
        NoPrizes = "competition_no_prizes" {
            zh: "请至少设置一个奖项", en: "set at least one prize",
        },
        NotScreenable { status: &'static str } = "competition_not_screenable" {
            zh: "参赛项目「{status}」，比赛开始后不能再审查", en: "the entry is {status}; it cannot be screened once the rounds have begun",
        },
        ReasonRequired = "competition_reason_required" {
            zh: "不通过须写明理由", en: "give the reason the entry is not eligible",
        },
        FilesMissing { files: String } = "competition_files_missing" {
            zh: "缺少必交材料：{files}", en: "required files missing: {files}",
        },
        Unscreened { count: usize } = "competition_unscreened" {
            zh: "还有 {count} 个参赛项目待资格审查", en: "{count} entries still await screening",
        },
        RoundOrder { stage: &'static str } = "competition_round_order" {
            zh: "现在不能开始{stage}：轮次须依次进行，上一轮须已结束", en: "the {stage} cannot begin now: rounds go in order, each after the last has closed",
        },
        NoEntries = "competition_no_entries" {
            zh: "本轮没有参赛项目", en: "no entries take part in this round",
        },
        TooFewExperts { name: String, fit: usize, needed: usize } = "competition_too_few_experts" {
            zh: "「{name}」只有 {fit} 位无回避关系的专家，需要 {needed} 位", en: "'{name}' has {fit} experts without a conflict; {needed} are needed",
        },
        ExpertsPerEntry = "competition_experts_per_entry" {
            zh: "每个项目的评审专家数应为 1—9 人", en: "experts per entry must be 1 to 9",
        },
        RoundNotScoring { stage: &'static str } = "competition_round_not_scoring" {
            zh: "{stage}不在评审中", en: "the {stage} is not being scored",
        },
        NotYourEntry = "competition_not_assigned" {
            zh: "本轮未分配您评审此项目", en: "you are not assigned to this entry in this round",
        },
        ScoresMissing { count: usize } = "competition_scores_missing" {
            zh: "还有 {count} 份专家评分未提交", en: "{count} expert scores are still missing",
        },
        Advance = "competition_advance" {
            zh: "晋级名额应为每组 1 个以上", en: "the number advancing must be at least 1 per track",
        },
        NotFinished = "competition_not_finished" {
            zh: "决赛尚未结束", en: "the final has not closed",
        },
        ResultsPublished = "competition_results_published" {
            zh: "结果已发布", en: "the results are published already",
        },
        PrizesAwarded = "competition_prizes_awarded" {
            zh: "奖金已列入批次", en: "the prizes are in a batch already",
        },
        NoPrizeWinners = "competition_no_prize_winners" {
            zh: "没有可发放奖金的获奖企业（团队须注册企业后方可领奖）", en: "no winning enterprise to pay (a team is paid once it has registered an enterprise)",
        },
    }
}

/// The day an enterprise must be registered on or after to enter the start-up track of the
/// competition of `year`: 1 January three years before (the 2019 competition: 2016-01-01).
pub fn startup_since(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year - 3, 1, 1).unwrap_or(NaiveDate::MIN)
}

/// Whether an enterprise registered on `registered` fits `track` in the competition of `year`;
/// `None` (not known) leaves it to the screening officer.
pub fn track_fits(
    track: Track,
    registered: Option<NaiveDate>,
    year: i32,
) -> Result<(), CompetitionProblem> {
    let Some(registered) = registered else {
        return Ok(());
    };
    let since = startup_since(year);
    match track {
        Track::Startup if registered < since => {
            Err(CompetitionProblem::StartupTooOld { since, registered })
        }
        Track::Growth if registered >= since => {
            Err(CompetitionProblem::GrowthTooYoung { since, registered })
        }
        _ => Ok(()),
    }
}

/// Whether `stage` may begin after the rounds `held` (each closed, none open).
pub fn may_open(stage: Stage, held: &[Stage], any_open: bool) -> Result<(), CompetitionProblem> {
    let last = held.iter().max().copied();
    let ok = !any_open
        && !held.contains(&stage)
        && match stage {
            Stage::Preliminary => last.is_none(),
            // The semi-final follows the preliminary; the final either.
            Stage::Semifinal => last == Some(Stage::Preliminary),
            Stage::Final => last.is_some(),
        };
    if ok {
        Ok(())
    } else {
        Err(CompetitionProblem::RoundOrder {
            stage: stage.name_zh(),
        })
    }
}

/// One entry's place in a round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placed {
    pub entry: i64,
    pub track: Track,
    pub score: f64,
    /// 1 for the best of the track; equal scores share a place (1, 2, 2, 4).
    pub rank: u32,
}

/// Ranks a round's entries within each track by score, best first; ties share a place and are
/// listed in entry order (the order of registration).
pub fn rank(scored: &[(i64, Track, f64)]) -> Vec<Placed> {
    let mut v: Vec<&(i64, Track, f64)> = scored.iter().collect();
    v.sort_by(|a, b| {
        a.1.cmp(&b.1)
            .then_with(|| b.2.total_cmp(&a.2))
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut out: Vec<Placed> = Vec::with_capacity(v.len());
    for (i, (entry, track, score)) in v.iter().enumerate() {
        let rank = match out.last() {
            Some(p) if p.track == *track && p.score.total_cmp(score).is_eq() => p.rank,
            Some(p) if p.track == *track => {
                // Places count the entries ahead in the same track.
                let first = out.iter().position(|q| q.track == *track).unwrap_or(i);
                u32::try_from(i - first + 1).unwrap_or(u32::MAX)
            }
            _ => 1,
        };
        out.push(Placed {
            entry: *entry,
            track: *track,
            score: *score,
            rank,
        });
    }
    out
}

/// Who advances: the first `quota` places of each track. Entries tied at the cut advance
/// together, so no judge has to pick between equal scores.
pub fn advancing(placed: &[Placed], quota: u32) -> Vec<i64> {
    placed
        .iter()
        .filter(|p| p.rank <= quota)
        .map(|p| p.entry)
        .collect()
}

/// A prize of the final, given in each track.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prize {
    pub name: String,
    /// How many entries of each track receive it.
    pub count: u32,
    pub amount: Fen,
}

/// The prize table as the bureau writes it, one prize a line: `一等奖 1 20万元` (spaces, tabs,
/// commas or their full-width forms between).
pub fn parse_prizes(text: &str) -> Result<Vec<Prize>, CompetitionProblem> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let parts: Vec<&str> = trimmed
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
            .filter(|p| !p.is_empty())
            .collect();
        let bad = || CompetitionProblem::PrizeLine {
            line: i + 1,
            text: trimmed.chars().take(40).collect(),
        };
        let [name, count, amount] = parts[..] else {
            return Err(bad());
        };
        let count: u32 = count
            .trim_end_matches(['名', '个', '项'])
            .parse()
            .ok()
            .filter(|c| (1..=100).contains(c))
            .ok_or_else(bad)?;
        let amount = Fen::parse(amount).map_err(|_| bad())?;
        if name.chars().count() > 20 {
            return Err(bad());
        }
        out.push(Prize {
            name: name.to_owned(),
            count,
            amount,
        });
    }
    if out.is_empty() {
        return Err(CompetitionProblem::NoPrizes);
    }
    Ok(out)
}

/// The prize table written back as the bureau types it.
pub fn prizes_text(prizes: &[Prize]) -> String {
    prizes
        .iter()
        .map(|p| format!("{} {} {}万元", p.name, p.count, p.amount.wan_text()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The prizes of the final: in each track, down the ranking, the first prize to its count,
/// then the next. Equal scores are taken in registration order.
pub fn award_prizes(placed: &[Placed], prizes: &[Prize]) -> Vec<(i64, usize)> {
    let mut out = Vec::new();
    for track in Track::ALL {
        let mut ranked: Vec<&Placed> = placed.iter().filter(|p| p.track == track).collect();
        ranked.sort_by(|a, b| a.rank.cmp(&b.rank).then_with(|| a.entry.cmp(&b.entry)));
        let slots = prizes
            .iter()
            .enumerate()
            .flat_map(|(i, p)| std::iter::repeat_n(i, p.count as usize));
        out.extend(ranked.iter().zip(slots).map(|(p, i)| (p.entry, i)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn tracks_and_industries_read_as_offices_write_them() {
        assert_eq!(Track::parse("初创组"), Some(Track::Startup));
        assert_eq!(Track::parse("初创企业组"), Some(Track::Startup));
        assert_eq!(Track::parse(" 成长 "), Some(Track::Growth));
        assert_eq!(Track::parse("团队组"), None);
        assert_eq!(industry("新能源及节能环保"), Some("新能源及节能环保"));
        assert_eq!(industry("生物 医药"), Some("生物医药"));
        assert_eq!(industry("Biomedicine"), Some("生物医药"));
        assert_eq!(industry("房地产"), None);
    }

    #[test]
    fn the_start_up_track_is_for_enterprises_of_the_last_three_years() {
        assert_eq!(startup_since(2019), d("2016-01-01"));
        assert!(track_fits(Track::Startup, Some(d("2016-01-01")), 2019).is_ok());
        assert_eq!(
            track_fits(Track::Startup, Some(d("2015-12-31")), 2019)
                .map_err(|e| crate::problem::Problem::code(&e)),
            Err("competition_track_startup")
        );
        assert!(track_fits(Track::Growth, Some(d("2015-12-31")), 2019).is_ok());
        assert!(track_fits(Track::Growth, Some(d("2018-03-01")), 2019).is_err());
        assert!(track_fits(Track::Growth, None, 2019).is_ok());
    }

    #[test]
    fn rounds_go_in_order_and_the_semi_final_may_be_skipped() {
        use Stage::*;
        assert!(may_open(Preliminary, &[], false).is_ok());
        assert!(may_open(Semifinal, &[], false).is_err());
        assert!(may_open(Final, &[], false).is_err());
        assert!(may_open(Semifinal, &[Preliminary], false).is_ok());
        assert!(may_open(Final, &[Preliminary], false).is_ok());
        assert!(may_open(Final, &[Preliminary], true).is_err(), "one open");
        assert!(may_open(Semifinal, &[Preliminary, Final], false).is_err());
        assert!(may_open(Preliminary, &[Preliminary], false).is_err());
    }

    #[test]
    fn ties_share_a_place_and_advance_together() {
        let placed = rank(&[
            (1, Track::Startup, 80.0),
            (2, Track::Startup, 90.0),
            (3, Track::Startup, 80.0),
            (4, Track::Startup, 70.0),
            (5, Track::Growth, 60.0),
        ]);
        let places: Vec<(i64, u32)> = placed.iter().map(|p| (p.entry, p.rank)).collect();
        assert_eq!(places, vec![(2, 1), (1, 2), (3, 2), (4, 4), (5, 1)]);
        assert_eq!(advancing(&placed, 2), vec![2, 1, 3, 5]);
        assert_eq!(advancing(&placed, 1), vec![2, 5]);
    }

    #[test]
    fn prize_tables_read_with_any_separator() {
        let p =
            parse_prizes("一等奖 1 20万元\n二等奖，2，10万\n\n三等奖\t3名\t50000").expect("prizes");
        assert_eq!(p.len(), 3);
        assert_eq!(p[1].count, 2);
        assert_eq!(p[0].amount, Fen::parse("20万元").expect("fen"));
        assert_eq!(p[2].amount, Fen::parse("50000").expect("fen"));
        assert_eq!(parse_prizes(&prizes_text(&p)), Ok(p));
        assert_eq!(
            parse_prizes("一等奖 1\n").map_err(|e| crate::problem::Problem::code(&e)),
            Err("competition_prize_line")
        );
        assert_eq!(parse_prizes(" \n"), Err(CompetitionProblem::NoPrizes));
    }

    #[test]
    fn prizes_go_down_each_track() {
        let placed = rank(&[
            (1, Track::Startup, 90.0),
            (2, Track::Startup, 80.0),
            (3, Track::Startup, 70.0),
            (4, Track::Growth, 85.0),
        ]);
        let table = parse_prizes("一等奖 1 20万\n二等奖 1 10万").expect("prizes");
        assert_eq!(award_prizes(&placed, &table), vec![(1, 0), (2, 1), (4, 0)]);
    }

    proptest! {
        #[test]
        fn places_and_advancement_follow_the_scores(
            scores in proptest::collection::vec((0u8..2, 0u8..20), 0..30),
            quota in 1u32..6,
        ) {
            let entries: Vec<(i64, Track, f64)> = scores
                .iter()
                .enumerate()
                .map(|(i, (t, s))| (i as i64, Track::ALL[*t as usize], f64::from(*s)))
                .collect();
            let placed = rank(&entries);
            prop_assert_eq!(placed.len(), entries.len());
            let up = advancing(&placed, quota);
            for p in &placed {
                // A place is one more than the entries of the track that scored higher.
                let better = entries.iter().filter(|e| e.1 == p.track && e.2 > p.score).count();
                prop_assert_eq!(p.rank as usize, better + 1);
                // Whoever advances scored at least as well as anyone left behind.
                if up.contains(&p.entry) {
                    for q in placed.iter().filter(|q| q.track == p.track && !up.contains(&q.entry)) {
                        prop_assert!(q.score < p.score);
                    }
                }
            }
            for track in Track::ALL {
                let n = placed.iter().filter(|p| p.track == track).count();
                let went = placed.iter().filter(|p| p.track == track && up.contains(&p.entry)).count();
                prop_assert!(went >= n.min(quota as usize));
            }
        }

        #[test]
        fn no_prize_is_given_more_often_than_its_count(
            scores in proptest::collection::vec((0u8..2, 0u8..20), 0..30),
            counts in proptest::collection::vec(1u32..4, 1..4),
        ) {
            let entries: Vec<(i64, Track, f64)> = scores
                .iter()
                .enumerate()
                .map(|(i, (t, s))| (i as i64, Track::ALL[*t as usize], f64::from(*s)))
                .collect();
            let table: Vec<Prize> = counts
                .iter()
                .enumerate()
                .map(|(i, c)| Prize { name: format!("{i}"), count: *c, amount: Fen(100) })
                .collect();
            let placed = rank(&entries);
            let won = award_prizes(&placed, &table);
            for track in Track::ALL {
                for (i, p) in table.iter().enumerate() {
                    let given = won.iter().filter(|(e, k)| *k == i
                        && placed.iter().any(|q| q.entry == *e && q.track == track)).count();
                    prop_assert!(given <= p.count as usize);
                }
                // A better place never gets a lesser prize than a worse one.
                for (a, ka) in &won {
                    for (b, kb) in &won {
                        let (pa, pb) = (
                            placed.iter().find(|q| q.entry == *a).map(|q| (q.track, q.rank)),
                            placed.iter().find(|q| q.entry == *b).map(|q| (q.track, q.rank)),
                        );
                        if let (Some((ta, ra)), Some((tb, rb))) = (pa, pb) {
                            if ta == tb && ra < rb {
                                prop_assert!(ka <= kb);
                            }
                        }
                    }
                }
            }
        }
    }
}
