//! The SME service platform (中小企业公共服务平台): service providers by kind, a catalogue of
//! their services, requests an enterprise sends and the provider answers and completes, and
//! shared large instruments (仪器共享) booked by the hour. The rules here: who takes which step
//! of a request or a booking, and which bookings of an instrument collide.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Tax,
    Finance,
    Ip,
    Testing,
    Transfer,
    Rnd,
    Other,
}

impl ProviderKind {
    pub const ALL: [Self; 7] = [
        Self::Tax,
        Self::Finance,
        Self::Ip,
        Self::Testing,
        Self::Transfer,
        Self::Rnd,
        Self::Other,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Tax => "tax",
            Self::Finance => "finance",
            Self::Ip => "ip",
            Self::Testing => "testing",
            Self::Transfer => "transfer",
            Self::Rnd => "rnd",
            Self::Other => "other",
        }
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Tax => "财税服务",
            Self::Finance => "金融服务",
            Self::Ip => "知识产权",
            Self::Testing => "检验检测",
            Self::Transfer => "技术转移",
            Self::Rnd => "研发设计",
            Self::Other => "其他服务",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Tax => "Tax and accounting",
            Self::Finance => "Finance",
            Self::Ip => "Intellectual property",
            Self::Testing => "Testing and inspection",
            Self::Transfer => "Technology transfer",
            Self::Rnd => "R&D and design",
            Self::Other => "Other services",
        }
    }
    /// By code or by the Chinese name (with or without 服务).
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.into_iter().find(|k| {
            k.code() == s || k.name_zh() == s || k.name_zh().trim_end_matches("服务") == s
        })
    }
}

/// Who acts on a request or a booking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The enterprise that asked.
    Client,
    /// The provider of the service, or the instrument's owner.
    Provider,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Requested,
    Accepted,
    Declined,
    Completed,
    Cancelled,
}

impl RequestStatus {
    pub const ALL: [Self; 5] = [
        Self::Requested,
        Self::Accepted,
        Self::Declined,
        Self::Completed,
        Self::Cancelled,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Accepted => "accepted",
            Self::Declined => "declined",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Requested => "待响应",
            Self::Accepted => "服务中",
            Self::Declined => "已婉拒",
            Self::Completed => "已完成",
            Self::Cancelled => "已撤回",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Requested => "Awaiting the provider",
            Self::Accepted => "In progress",
            Self::Declined => "Declined",
            Self::Completed => "Completed",
            Self::Cancelled => "Withdrawn",
        }
    }
}

/// A step on a request: the provider accepts or declines, then completes; the enterprise may
/// withdraw until it is completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestAction {
    Accept,
    Decline,
    Complete,
    Cancel,
}

impl RequestAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "accept" => Some(Self::Accept),
            "decline" => Some(Self::Decline),
            "complete" => Some(Self::Complete),
            "cancel" => Some(Self::Cancel),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    Requested,
    Approved,
    Declined,
    Used,
    Cancelled,
}

impl BookingStatus {
    pub const ALL: [Self; 5] = [
        Self::Requested,
        Self::Approved,
        Self::Declined,
        Self::Used,
        Self::Cancelled,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Approved => "approved",
            Self::Declined => "declined",
            Self::Used => "used",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::Requested => "待审批",
            Self::Approved => "已批准",
            Self::Declined => "未批准",
            Self::Used => "已使用",
            Self::Cancelled => "已取消",
        }
    }
    pub fn name_en(self) -> &'static str {
        match self {
            Self::Requested => "Awaiting approval",
            Self::Approved => "Approved",
            Self::Declined => "Declined",
            Self::Used => "Used",
            Self::Cancelled => "Cancelled",
        }
    }
}

/// A step on a booking: the owner approves or declines and records the use; the enterprise
/// may cancel until it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookingAction {
    Approve,
    Decline,
    RecordUse,
    Cancel,
}

impl BookingAction {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "approve" => Some(Self::Approve),
            "decline" => Some(Self::Decline),
            "record_use" => Some(Self::RecordUse),
            "cancel" => Some(Self::Cancel),
            _ => None,
        }
    }
}

crate::problems! {
    pub enum ServiceProblem {
        NotYourStep = "service_not_your_step" {
            zh: "此操作应由另一方办理", en: "the other party takes this step",
        },
        WrongState { status: String } = "service_wrong_state" {
            zh: "当前状态（{status}）下不能办理此操作", en: "not possible while it is {status}",
        },
        Unknown { action: String } = "service_unknown_action" {
            zh: "未知操作 '{action}'", en: "unknown action '{action}'",
        },
        Rating = "service_rating" {
            zh: "评分应为 1—5 分，且只能在服务完成后评价一次",
            en: "a rating is 1 to 5, given once after the service is completed",
        },
        Required { field: String } = "service_field_required" {
            zh: "请填写{field}", en: "{field} is required",
        },
        Kind { raw: String } = "provider_kind" {
            zh: "服务机构类别 '{raw}' 无效：财税、金融、知识产权、检验检测、技术转移、研发设计或其他",
            en: "'{raw}' is not a provider kind: tax, finance, ip, testing, transfer, rnd or other",
        },
        NotProvider = "service_not_provider" {
            zh: "本账号不是该服务机构（仪器所有单位）的账号", en: "this account is not the provider's (the owner's)",
        },
        Inactive = "service_inactive" {
            zh: "该服务（仪器）已停止受理", en: "the service (instrument) takes no requests now",
        },
        Hours = "booking_hours" {
            zh: "预约时段应在同一天内：开始 0—23 时，时长 1—24 小时", en: "a booking lies within one day: start 0–23 h, 1–24 hours",
        },
        UsedHours { max: u32 } = "booking_used_hours" {
            zh: "实际使用机时应大于 0、不超过 {max} 小时", en: "hours used are more than 0 and at most {max}",
        },
        Collides { other: i64 } = "booking_collides" {
            zh: "与已批准的预约 {other} 时段冲突", en: "overlaps approved booking {other}",
        },
        Past = "booking_past" {
            zh: "不能预约已过去的日期", en: "a booking cannot be for a day that has passed",
        },
        VoucherNotForService = "voucher_not_for_service" {
            zh: "只能对已完成、可用创新券、尚未兑付的服务使用创新券",
            en: "a voucher is redeemed only against a completed voucher-eligible service not yet paid by one",
        },
    }
}

/// The status a request moves to when `by` takes `action`.
pub fn request_step(
    from: RequestStatus,
    action: RequestAction,
    by: Party,
) -> Result<RequestStatus, ServiceProblem> {
    use RequestAction as A;
    use RequestStatus as S;
    let owner = match action {
        A::Accept | A::Decline | A::Complete => Party::Provider,
        A::Cancel => Party::Client,
    };
    if owner != by {
        return Err(ServiceProblem::NotYourStep);
    }
    match (from, action) {
        (S::Requested, A::Accept) => Ok(S::Accepted),
        (S::Requested, A::Decline) => Ok(S::Declined),
        (S::Accepted, A::Complete) => Ok(S::Completed),
        (S::Requested | S::Accepted, A::Cancel) => Ok(S::Cancelled),
        _ => Err(ServiceProblem::WrongState {
            status: from.name_zh().to_owned(),
        }),
    }
}

/// The status a booking moves to when `by` takes `action`.
pub fn booking_step(
    from: BookingStatus,
    action: BookingAction,
    by: Party,
) -> Result<BookingStatus, ServiceProblem> {
    use BookingAction as A;
    use BookingStatus as S;
    let owner = match action {
        A::Approve | A::Decline | A::RecordUse => Party::Provider,
        A::Cancel => Party::Client,
    };
    if owner != by {
        return Err(ServiceProblem::NotYourStep);
    }
    match (from, action) {
        (S::Requested, A::Approve) => Ok(S::Approved),
        (S::Requested, A::Decline) => Ok(S::Declined),
        (S::Approved, A::RecordUse) => Ok(S::Used),
        (S::Requested | S::Approved, A::Cancel) => Ok(S::Cancelled),
        _ => Err(ServiceProblem::WrongState {
            status: from.name_zh().to_owned(),
        }),
    }
}

/// Whether two bookings of one day, `(start hour, hours)`, share an hour.
pub fn collide(a: (u32, u32), b: (u32, u32)) -> bool {
    a.0 < b.0 + b.1 && b.0 < a.0 + a.1
}

/// A booking's hours within one day.
pub fn check_slot(start_hour: u32, hours: u32) -> Result<(), ServiceProblem> {
    if start_hour <= 23 && (1..=24).contains(&hours) && start_hour + hours <= 24 {
        Ok(())
    } else {
        Err(ServiceProblem::Hours)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_request_is_answered_by_the_provider_and_withdrawn_by_the_client() {
        use RequestAction as A;
        use RequestStatus as S;
        assert_eq!(
            request_step(S::Requested, A::Accept, Party::Provider),
            Ok(S::Accepted)
        );
        assert_eq!(
            request_step(S::Accepted, A::Complete, Party::Provider),
            Ok(S::Completed)
        );
        assert_eq!(
            request_step(S::Requested, A::Accept, Party::Client),
            Err(ServiceProblem::NotYourStep)
        );
        assert_eq!(
            request_step(S::Accepted, A::Cancel, Party::Client),
            Ok(S::Cancelled)
        );
        assert!(request_step(S::Completed, A::Cancel, Party::Client).is_err());
        assert!(request_step(S::Requested, A::Complete, Party::Provider).is_err());
        assert_eq!(ProviderKind::parse("知识产权"), Some(ProviderKind::Ip));
        assert_eq!(ProviderKind::parse("财税"), Some(ProviderKind::Tax));
    }

    #[test]
    fn bookings_collide_when_they_share_an_hour() {
        assert!(collide((9, 2), (10, 3)));
        assert!(!collide((9, 2), (11, 3)), "back to back is fine");
        assert!(check_slot(22, 2).is_ok());
        assert!(check_slot(23, 2).is_err());
        assert!(check_slot(8, 0).is_err());
    }

    proptest! {
        /// Collision is symmetric, and a slot always collides with itself.
        #[test]
        fn collision_is_symmetric(a in 0u32..24, ah in 1u32..8, b in 0u32..24, bh in 1u32..8) {
            prop_assert_eq!(collide((a, ah), (b, bh)), collide((b, bh), (a, ah)));
            prop_assert!(collide((a, ah), (a, ah)));
            let hours_a: Vec<u32> = (a..a + ah).collect();
            let shared = (b..b + bh).any(|h| hours_a.contains(&h));
            prop_assert_eq!(collide((a, ah), (b, bh)), shared);
        }

        /// Nothing leaves a final state, and every step is one party's.
        #[test]
        fn final_states_stay_final(i in 0usize..5, act in 0usize..4, client in any::<bool>()) {
            let actions = [RequestAction::Accept, RequestAction::Decline, RequestAction::Complete, RequestAction::Cancel];
            let by = if client { Party::Client } else { Party::Provider };
            let from = RequestStatus::ALL[i];
            let r = request_step(from, actions[act], by);
            if matches!(from, RequestStatus::Declined | RequestStatus::Completed | RequestStatus::Cancelled) {
                prop_assert!(r.is_err());
            }
            let other = if client { Party::Provider } else { Party::Client };
            prop_assert!(r.is_err() || request_step(from, actions[act], other).is_err());
            let bactions = [BookingAction::Approve, BookingAction::Decline, BookingAction::RecordUse, BookingAction::Cancel];
            let bfrom = BookingStatus::ALL[i];
            let b = booking_step(bfrom, bactions[act], by);
            if matches!(bfrom, BookingStatus::Declined | BookingStatus::Used | BookingStatus::Cancelled) {
                prop_assert!(b.is_err());
            }
        }
    }
}
