//! Events (活动): the innovation competition, the yearly forum, training, 送科技下乡 outreach
//! and 成果对接 matchmaking. The rules here: who gets a seat and who waits, who moves up when a
//! seat is given back, when check-in is possible, and which years an event of a kind was held
//! (the plan's "forum every year" is met by forums held, not by a box ticked).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Competition,
    Forum,
    Training,
    Outreach,
    Matchmaking,
}

impl EventKind {
    pub const ALL: [Self; 5] = [
        Self::Competition,
        Self::Forum,
        Self::Training,
        Self::Outreach,
        Self::Matchmaking,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Competition => "competition",
            Self::Forum => "forum",
            Self::Training => "training",
            Self::Outreach => "outreach",
            Self::Matchmaking => "matchmaking",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Competition => "创新创业大赛",
            Self::Forum => "高层次科技论坛",
            Self::Training => "培训",
            Self::Outreach => "送科技下乡",
            Self::Matchmaking => "科技成果对接",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Competition => "Innovation competition",
            Self::Forum => "Tech forum",
            Self::Training => "Training",
            Self::Outreach => "Outreach",
            Self::Matchmaking => "Matchmaking",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Announced; registration open until its closing day.
    Planned,
    /// Took place; its outcome is recorded.
    Held,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Held => "held",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Planned, Self::Held, Self::Cancelled]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Planned => "报名中",
            Self::Held => "已举办",
            Self::Cancelled => "已取消",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Planned => "upcoming",
            Self::Held => "held",
            Self::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seat {
    Registered,
    Waitlisted,
    Cancelled,
}

impl Seat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Waitlisted => "waitlisted",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Registered, Self::Waitlisted, Self::Cancelled]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Registered => "已报名",
            Self::Waitlisted => "候补",
            Self::Cancelled => "已取消",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Waitlisted => "waiting list",
            Self::Cancelled => "cancelled",
        }
    }
}

crate::problems! {
    pub enum EventProblem {
        Closed { closes: String } = "event_registration_closed" {
            zh: "报名已于 {closes} 截止", en: "registration closed on {closes}",
        },
        NotOpen { status: String } = "event_not_open" {
            zh: "活动{status}，不能报名", en: "the event is {status}: no registration",
        },
        AlreadyRegistered = "event_already_registered" {
            zh: "已报名本活动", en: "already registered for this event",
        },
        CheckInDay { starts: String, ends: String } = "event_check_in_day" {
            zh: "签到仅限活动期间（{starts} 至 {ends}）", en: "check-in is open while the event runs ({starts} to {ends})",
        },
        CheckInSeat = "event_check_in_seat" {
            zh: "只有已报名（非候补、未取消）的才能签到", en: "only a registered seat (not waiting, not cancelled) checks in",
        },
        Dates { raw: String } = "event_dates" {
            zh: "活动日期 '{raw}' 无效：结束日期不能早于开始日期", en: "event dates '{raw}': the end cannot precede the start",
        },
        TitleRequired = "event_title_required" {
            zh: "请填写活动名称", en: "write the event's title",
        },
        Kind { raw: String } = "event_kind" {
            zh: "活动类别 '{raw}' 不存在", en: "no event kind '{raw}'",
        },
        Capacity { raw: String } = "event_capacity" {
            zh: "名额 '{raw}' 应为 0（不限）或正整数", en: "capacity '{raw}' must be 0 (no limit) or a whole number",
        },
        Outcome { raw: String } = "event_outcome" {
            zh: "'{raw}' 应为非负整数", en: "'{raw}' must be a whole number, zero or more",
        },
        HeldEarly { starts: String } = "event_held_early" {
            zh: "活动 {starts} 开始，之前不能记为已举办", en: "the event starts on {starts}; it cannot be held before",
        },
        Region { raw: String } = "event_region" {
            zh: "没有区划 '{raw}'", en: "no region '{raw}'",
        },
        NameRequired = "event_name_required" {
            zh: "请填写参会人姓名和单位", en: "write the attendee's name and organisation",
        },
        Phone { raw: String } = "event_phone" {
            zh: "联系电话 '{raw}' 无效", en: "phone number '{raw}' is not valid",
        },
    }
}

/// The seat a new registration gets: a place while the event has room (capacity 0 means no
/// limit), otherwise the waiting list.
pub fn admit(capacity: u32, registered: usize) -> Seat {
    if capacity == 0 || registered < capacity as usize {
        Seat::Registered
    } else {
        Seat::Waitlisted
    }
}

/// Whether registration is open on `today`: a planned event, up to its closing day (the day
/// before it starts when none is set).
pub fn registration_open(
    status: EventStatus,
    starts: NaiveDate,
    closes: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), EventProblem> {
    if status != EventStatus::Planned {
        return Err(EventProblem::NotOpen {
            status: status.name_zh().to_owned(),
        });
    }
    let last = closes.unwrap_or(starts - chrono::Duration::days(1));
    if today > last {
        return Err(EventProblem::Closed {
            closes: last.to_string(),
        });
    }
    Ok(())
}

/// The seats after one is given back: the first on the waiting list (in the order they came)
/// moves up while there is room. `seats` are in registration order; returns the indices that
/// become registered.
pub fn promote(capacity: u32, seats: &[Seat]) -> Vec<usize> {
    let mut taken = seats.iter().filter(|s| **s == Seat::Registered).count();
    let mut up = Vec::new();
    for (i, s) in seats.iter().enumerate() {
        if *s == Seat::Waitlisted && (capacity == 0 || taken < capacity as usize) {
            up.push(i);
            taken += 1;
        }
    }
    up
}

/// Check-in is for a registered seat, on a day the event runs.
pub fn check_in(
    seat: Seat,
    (starts, ends): (NaiveDate, NaiveDate),
    today: NaiveDate,
) -> Result<(), EventProblem> {
    if seat != Seat::Registered {
        return Err(EventProblem::CheckInSeat);
    }
    if today < starts || today > ends {
        return Err(EventProblem::CheckInDay {
            starts: starts.to_string(),
            ends: ends.to_string(),
        });
    }
    Ok(())
}

/// How many events of each kind were held in each year (by their first day): the record the
/// plan's yearly events are measured against.
pub fn held_by_year(
    events: &[(EventKind, EventStatus, NaiveDate)],
) -> BTreeMap<(EventKind, i32), usize> {
    let mut out = BTreeMap::new();
    for (kind, status, starts) in events {
        if *status == EventStatus::Held {
            *out.entry((*kind, starts.year())).or_insert(0) += 1;
        }
    }
    out
}

/// The years from `from` to `to` in which no event of `kind` was held.
pub fn years_missed(
    held: &BTreeMap<(EventKind, i32), usize>,
    kind: EventKind,
    (from, to): (i32, i32),
) -> Vec<i32> {
    (from..=to)
        .filter(|y| !held.contains_key(&(kind, *y)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn seats_fill_then_wait() {
        assert_eq!(admit(2, 0), Seat::Registered);
        assert_eq!(admit(2, 1), Seat::Registered);
        assert_eq!(admit(2, 2), Seat::Waitlisted);
        assert_eq!(admit(0, 10_000), Seat::Registered);
    }

    #[test]
    fn the_first_waiting_moves_up_when_a_seat_is_given_back() {
        use Seat::*;
        // Capacity 2: one of the two registered cancelled; the first waiting moves up.
        assert_eq!(
            promote(2, &[Cancelled, Registered, Waitlisted, Waitlisted]),
            vec![2]
        );
        assert_eq!(
            promote(2, &[Registered, Registered, Waitlisted]),
            Vec::<usize>::new()
        );
        assert_eq!(promote(0, &[Waitlisted, Waitlisted]), vec![0, 1]);
    }

    #[test]
    fn registration_closes_the_day_before_unless_told() {
        let starts = d("2019-06-10");
        let open = |today: &str, closes: Option<&str>| {
            registration_open(EventStatus::Planned, starts, closes.map(d), d(today))
        };
        assert!(open("2019-06-09", None).is_ok());
        assert!(open("2019-06-10", None).is_err());
        assert!(open("2019-06-05", Some("2019-06-05")).is_ok());
        assert!(open("2019-06-06", Some("2019-06-05")).is_err());
        assert!(registration_open(EventStatus::Cancelled, starts, None, d("2019-01-01")).is_err());
    }

    #[test]
    fn check_in_while_the_event_runs_for_a_seat() {
        let days = (d("2019-06-10"), d("2019-06-11"));
        assert!(check_in(Seat::Registered, days, d("2019-06-11")).is_ok());
        assert!(check_in(Seat::Registered, days, d("2019-06-12")).is_err());
        assert!(check_in(Seat::Waitlisted, days, d("2019-06-10")).is_err());
    }

    #[test]
    fn a_year_without_a_forum_is_missed() {
        let held = held_by_year(&[
            (EventKind::Forum, EventStatus::Held, d("2017-11-02")),
            (EventKind::Forum, EventStatus::Cancelled, d("2018-11-02")),
            (EventKind::Forum, EventStatus::Held, d("2019-10-20")),
            (EventKind::Training, EventStatus::Held, d("2018-05-01")),
        ]);
        assert_eq!(held.get(&(EventKind::Forum, 2017)), Some(&1));
        assert_eq!(
            years_missed(&held, EventKind::Forum, (2017, 2020)),
            vec![2018, 2020]
        );
    }

    proptest! {
        /// However registrations and cancellations come, no more seats are taken than the
        /// capacity, and nobody waits while a seat is free.
        #[test]
        fn seats_never_exceed_capacity(cap in 1u32..6, ops in proptest::collection::vec(0usize..12, 0..40)) {
            let mut seats: Vec<Seat> = Vec::new();
            for op in ops {
                if op < 8 || seats.is_empty() {
                    let taken = seats.iter().filter(|s| **s == Seat::Registered).count();
                    seats.push(admit(cap, taken));
                } else {
                    let i = op % seats.len();
                    seats[i] = Seat::Cancelled;
                    for j in promote(cap, &seats) {
                        seats[j] = Seat::Registered;
                    }
                }
                let taken = seats.iter().filter(|s| **s == Seat::Registered).count();
                let waiting = seats.iter().filter(|s| **s == Seat::Waitlisted).count();
                prop_assert!(taken <= cap as usize);
                prop_assert!(waiting == 0 || taken == cap as usize);
            }
        }
    }
}
