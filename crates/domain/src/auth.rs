//! Who may do what: roles, data scopes, the password policy, lockout and session lifetimes,
//! and the hash chain that makes the audit trail tamper-evident. Pure rules; the web layer
//! enforces them and the store persists their state.

use crate::region::{RegionCode, RegionTree};
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use std::fmt;

/// The roles of the issue, named as operators type them on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    Admin,
    Bureau,
    County,
    Enterprise,
    Bank,
    Expert,
    /// A responsible unit (责任单位) reporting on the tasks of the plan it leads.
    Unit,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Bureau,
        Role::County,
        Role::Enterprise,
        Role::Bank,
        Role::Expert,
        Role::Unit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Bureau => "bureau",
            Role::County => "county",
            Role::Enterprise => "enterprise",
            Role::Bank => "bank",
            Role::Expert => "expert",
            Role::Unit => "unit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Bureau => "市科技局",
            Role::County => "县（市、区）科技部门",
            Role::Enterprise => "企业",
            Role::Bank => "合作银行",
            Role::Expert => "评审专家",
            Role::Unit => "责任单位",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::Bureau => "City S&T bureau",
            Role::County => "County S&T office",
            Role::Enterprise => "Enterprise",
            Role::Bank => "Partner bank",
            Role::Expert => "Expert reviewer",
            Role::Unit => "Responsible unit",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What part of the data an account sees. Each role has exactly one kind of scope, so an
/// account can never be, say, a county officer without a county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataScope {
    /// Administrators: users, settings and the audit trail, no business records.
    System,
    /// The bureau and county officers: every record in a region's subtree.
    Region(RegionCode),
    /// An enterprise user: that enterprise only.
    Enterprise(String),
    /// A partner bank's staff: their institution's records.
    Bank(String),
    /// An expert: what is assigned to them.
    Assigned,
    /// A responsible unit's staff: the tasks their unit leads or supports.
    Unit(String),
}

crate::problems! {
    /// What an account's role lacks to know what it may see.
    pub enum ScopeError {
        NeedsRegion { role: Role } = "scope_needs_region" {
            zh: "{role} 账号须指定所辖区划代码", en: "a {role} account needs a region code",
        },
        NeedsUscc = "scope_needs_uscc" {
            zh: "企业账号须指定企业的统一社会信用代码",
            en: "an enterprise account needs the enterprise's unified social credit code",
        },
        NeedsOrg = "scope_needs_org" {
            zh: "银行账号须指定银行名称", en: "a bank account needs the bank's name",
        },
        NeedsUnit = "scope_needs_unit" {
            zh: "责任单位账号须指定单位（--org 单位代码或名称）",
            en: "a unit account needs its unit (--org with the unit's code or name)",
        },
    }
}

impl DataScope {
    /// The scope a role implies, from the attributes given when the account is created.
    pub fn for_role(
        role: Role,
        region: Option<RegionCode>,
        uscc: Option<&str>,
        org: Option<&str>,
    ) -> Result<Self, ScopeError> {
        fn present(s: Option<&str>) -> Option<&str> {
            s.map(str::trim).filter(|s| !s.is_empty())
        }
        Ok(match role {
            Role::Admin => DataScope::System,
            Role::Bureau | Role::County => {
                DataScope::Region(region.ok_or(ScopeError::NeedsRegion { role })?)
            }
            Role::Enterprise => {
                DataScope::Enterprise(present(uscc).ok_or(ScopeError::NeedsUscc)?.to_owned())
            }
            Role::Bank => DataScope::Bank(present(org).ok_or(ScopeError::NeedsOrg)?.to_owned()),
            Role::Expert => DataScope::Assigned,
            Role::Unit => DataScope::Unit(present(org).ok_or(ScopeError::NeedsUnit)?.to_owned()),
        })
    }

    /// The region codes whose records this scope sees, or `None` when it sees no region's
    /// records wholesale (enterprise, bank, expert and admin accounts).
    pub fn regions(&self, tree: &RegionTree) -> Option<Vec<RegionCode>> {
        match self {
            DataScope::Region(code) => Some(tree.subtree(code)),
            _ => None,
        }
    }

    /// Whether a record filed under `region` is inside this scope.
    pub fn covers_region(&self, tree: &RegionTree, region: &RegionCode) -> bool {
        match self {
            DataScope::Region(code) => code == region || tree.subtree(code).contains(region),
            _ => false,
        }
    }

    /// A short label for `/api/v1/me` and the page header: `region:440203`, `enterprise:…`.
    pub fn label(&self) -> String {
        match self {
            DataScope::System => "system".into(),
            DataScope::Region(r) => format!("region:{r}"),
            DataScope::Enterprise(u) => format!("enterprise:{u}"),
            DataScope::Bank(o) => format!("bank:{o}"),
            DataScope::Assigned => "assigned".into(),
            DataScope::Unit(u) => format!("unit:{u}"),
        }
    }
}

// ---- passwords --------------------------------------------------------------------------

pub const MIN_PASSWORD_CHARS: usize = 8;

crate::problems! {
    /// How a new password falls short of the policy.
    pub enum PasswordProblem {
        TooShort = "password_too_short" {
            zh: "密码至少 8 个字符", en: "a password has at least 8 characters",
        },
        TooFewClasses = "password_too_simple" {
            zh: "密码须包含大写字母、小写字母、数字、符号中的至少三类",
            en: "a password uses at least 3 of: upper case, lower case, digits, symbols",
        },
        ContainsUsername = "password_contains_username" {
            zh: "密码不能包含用户名", en: "a password must not contain the username",
        },
        TooLong { max: usize } = "password_too_long" {
            zh: "密码最多 {max} 字节", en: "a password has at most {max} bytes",
        },
    }
}

crate::problems! {
    pub enum UsernameProblem {
        Invalid { name: String } = "invalid_username" {
            zh: "用户名 '{name}' 应为 3–64 个字母、数字或 . _ - @",
            en: "username '{name}': 3–64 letters, digits or . _ - @",
        },
    }
}

/// The policy of the issue: at least 8 characters from at least 3 of the 4 classes; and,
/// as every 等保 assessor asks, not the username itself.
pub fn check_password(password: &str, username: &str) -> Result<(), PasswordProblem> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    // A longer one could be set but never typed at the login, which refuses it unread.
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordProblem::TooLong {
            max: MAX_PASSWORD_BYTES,
        });
    }
    let classes = [
        password.chars().any(|c| c.is_ascii_uppercase()),
        password.chars().any(|c| c.is_ascii_lowercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return Err(PasswordProblem::TooFewClasses);
    }
    let user = username.trim().to_lowercase();
    if !user.is_empty() && password.to_lowercase().contains(&user) {
        return Err(PasswordProblem::ContainsUsername);
    }
    Ok(())
}

/// A username: what people type to log in, so kept to a plain, unambiguous set.
pub fn check_username(name: &str) -> Result<(), UsernameProblem> {
    let ok = (3..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(UsernameProblem::Invalid {
            name: name.to_owned(),
        })
    }
}

// ---- lockout and sessions ------------------------------------------------------------------

/// Failures allowed for one account from one address before the pair is locked, and how long
/// the first lock lasts; each failure after it doubles the lock, up to [`MAX_LOCK_MINUTES`].
pub const MAX_FAILURES: i64 = 5;
pub const LOCKOUT_MINUTES: i64 = 15;
pub const MAX_LOCK_MINUTES: i64 = 240;
/// Failures allowed from one address, whatever names it tries, before the address is locked:
/// enough for an office whose officers share one address to mistype, not enough to try one
/// password on every account.
pub const ADDRESS_MAX_FAILURES: i64 = 50;
/// A run of failures is forgotten this long after its last failure.
pub const FORGET_MINUTES: i64 = 60;
pub const IDLE_TIMEOUT_MINUTES: i64 = 30;
pub const ABSOLUTE_TIMEOUT_HOURS: i64 = 12;
/// The longest username and password a login reads; anything longer is refused before any
/// lookup, hashing or write.
pub const MAX_USERNAME_CHARS: usize = 64;
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// What failed logins are counted against. Never the account alone: then anyone anywhere
/// could lock a user out by trying their name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKey {
    /// One account tried from one address.
    Pair { username: String, client: String },
    /// One address, whatever names it tries.
    Address(String),
}

impl FailureKey {
    pub fn pair(username: &str, client: &str) -> Self {
        Self::Pair {
            username: username.trim().to_lowercase(),
            client: client.to_owned(),
        }
    }

    /// The key as stored.
    pub fn key(&self) -> String {
        match self {
            // U+001F cannot occur in a username or an address.
            Self::Pair { username, client } => format!("pair:{username}\u{1f}{client}"),
            Self::Address(client) => format!("addr:{client}"),
        }
    }

    /// Failures within a run that lock the key.
    pub fn threshold(&self) -> i64 {
        match self {
            Self::Pair { .. } => MAX_FAILURES,
            Self::Address(_) => ADDRESS_MAX_FAILURES,
        }
    }
}

/// Failed logins counted for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: i64,
    /// When the current run of failures began.
    pub since: DateTime<Utc>,
}

/// The counter after one more failure at `now`, given the count so far and its last failure.
/// A run whose last failure is older than [`FORGET_MINUTES`] is forgotten, so a typo last
/// week does not count towards today's lock.
pub fn record_failure(
    previous: Option<(FailureCount, DateTime<Utc>)>,
    now: DateTime<Utc>,
) -> FailureCount {
    match previous {
        Some((p, last)) if now - last < Duration::minutes(FORGET_MINUTES) => FailureCount {
            failures: p.failures + 1,
            since: p.since,
        },
        _ => FailureCount {
            failures: 1,
            since: now,
        },
    }
}

/// Until when a key is locked, if it is: from the failure that reaches the threshold, for
/// [`LOCKOUT_MINUTES`], doubled for each failure after it, at most [`MAX_LOCK_MINUTES`].
pub fn locked_until(
    count: Option<FailureCount>,
    last_failure: DateTime<Utc>,
    now: DateTime<Utc>,
    threshold: i64,
) -> Option<DateTime<Utc>> {
    let c = count?;
    if c.failures < threshold {
        return None;
    }
    let doublings = u32::try_from(c.failures - threshold)
        .unwrap_or(u32::MAX)
        .min(16);
    let minutes = LOCKOUT_MINUTES
        .saturating_mul(1i64 << doublings)
        .min(MAX_LOCK_MINUTES);
    let until = last_failure + Duration::minutes(minutes);
    (now < until).then_some(until)
}

/// Whether a session is still alive: used within the idle timeout and younger than the
/// absolute limit.
pub fn session_alive(created: DateTime<Utc>, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - last_seen < Duration::minutes(IDLE_TIMEOUT_MINUTES)
        && now - created < Duration::hours(ABSOLUTE_TIMEOUT_HOURS)
}

/// SHA-256 of a secret token, hex: sessions and API tokens are stored only as this, so a
/// copy of the database does not let anyone in. Tokens carry 256 random bits, so a plain
/// hash (no salt, no stretching) is what they need.
pub fn token_digest(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// The SHA-256 of some bytes in lower-case hex (tokens, attachments).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

// ---- audit chain ---------------------------------------------------------------------------

/// The hash before the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit entry that its hash covers — all of them but the hash itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFields<'a> {
    pub seq: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub client: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub before: &'a str,
    pub after: &'a str,
}

/// SHA-256 over the previous entry's hash and this entry's fields, each length-prefixed so
/// no two different entries serialise alike. Changing, removing or reordering any entry
/// breaks every later link.
pub fn chain_hash(prev: &str, e: &AuditFields<'_>) -> String {
    let mut h = Sha256::new();
    let seq = e.seq.to_string();
    for part in [
        prev,
        seq.as_str(),
        e.at,
        e.actor,
        e.client,
        e.action,
        e.entity,
        e.entity_id,
        e.before,
        e.after,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(min: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 26, 9, 0, 0)
            .single()
            .expect("time")
            + Duration::minutes(min)
    }

    #[test]
    fn password_policy() {
        assert_eq!(check_password("Ab1!", "x"), Err(PasswordProblem::TooShort));
        assert_eq!(
            check_password("abcdefgh12", "x"),
            Err(PasswordProblem::TooFewClasses)
        );
        assert!(check_password("abcdefg12!", "x").is_ok());
        assert!(check_password("Abcdefgh12", "x").is_ok());
        assert_eq!(
            check_password("Wujiang2018!", "wujiang"),
            Err(PasswordProblem::ContainsUsername)
        );
        // Characters, not bytes: eight Chinese characters plus classes are long enough.
        assert!(check_password("韶关A1b", "x").is_err());
        // Nothing the login would refuse unread can be set.
        let longest = format!("Ab1!{}", "x".repeat(MAX_PASSWORD_BYTES - 4));
        assert!(check_password(&longest, "u").is_ok());
        assert_eq!(
            check_password(&format!("{longest}x"), "u"),
            Err(PasswordProblem::TooLong {
                max: MAX_PASSWORD_BYTES
            })
        );
    }

    #[test]
    fn five_failures_lock_a_pair_for_fifteen_minutes_then_longer() {
        let pair = FailureKey::pair("Wujiang", "10.0.0.1");
        let th = pair.threshold();
        let mut c: Option<(FailureCount, DateTime<Utc>)> = None;
        for i in 0..4 {
            let n = record_failure(c, t(i));
            assert_eq!(locked_until(Some(n), t(i), t(i), th), None, "failure {i}");
            c = Some((n, t(i)));
        }
        let n = record_failure(c, t(4));
        assert_eq!(locked_until(Some(n), t(4), t(5), th), Some(t(19)));
        assert_eq!(locked_until(Some(n), t(4), t(19), th), None, "lock ends");
        // The next failure after the lock doubles it, and so on up to the cap.
        let n6 = record_failure(Some((n, t(4))), t(20));
        assert_eq!(locked_until(Some(n6), t(20), t(21), th), Some(t(50)));
        let many = FailureCount {
            failures: 40,
            since: t(0),
        };
        assert_eq!(
            locked_until(Some(many), t(100), t(101), th),
            Some(t(100 + MAX_LOCK_MINUTES))
        );
        // A run forgotten after an hour without failures starts again from one.
        let fresh = record_failure(Some((n6, t(20))), t(20 + FORGET_MINUTES));
        assert_eq!(fresh.failures, 1);
        // An address needs many more failures than a pair.
        let addr = FailureKey::Address("10.0.0.1".into());
        let five = FailureCount {
            failures: 5,
            since: t(0),
        };
        assert_eq!(locked_until(Some(five), t(0), t(1), addr.threshold()), None);
        assert_ne!(pair.key(), FailureKey::pair("wujiang", "10.0.0.2").key());
        assert_eq!(pair.key(), FailureKey::pair(" WUJIANG ", "10.0.0.1").key());
    }

    proptest::proptest! {
        #[test]
        fn a_lock_never_shortens_as_failures_grow(n in 0i64..200, last in 0i64..1000) {
            let a = FailureCount { failures: n, since: t(0) };
            let b = FailureCount { failures: n + 1, since: t(0) };
            let ua = locked_until(Some(a), t(last), t(last), MAX_FAILURES);
            let ub = locked_until(Some(b), t(last), t(last), MAX_FAILURES);
            proptest::prop_assert!(ua <= ub);
            if let Some(u) = ub {
                proptest::prop_assert!(u <= t(last + MAX_LOCK_MINUTES));
            }
        }
    }

    #[test]
    fn sessions_expire_idle_and_absolute() {
        assert!(session_alive(t(0), t(0), t(29)));
        assert!(!session_alive(t(0), t(0), t(30)));
        assert!(session_alive(t(0), t(700), t(710)));
        assert!(!session_alive(t(0), t(715), t(720)), "12 hours at most");
    }

    #[test]
    fn scopes_follow_roles() {
        let r = RegionCode::parse("440203").expect("code");
        assert_eq!(
            DataScope::for_role(Role::County, None, None, None),
            Err(ScopeError::NeedsRegion { role: Role::County })
        );
        assert_eq!(
            DataScope::for_role(Role::County, Some(r.clone()), None, None),
            Ok(DataScope::Region(r))
        );
        assert_eq!(
            DataScope::for_role(Role::Enterprise, None, Some(" "), None),
            Err(ScopeError::NeedsUscc)
        );
        assert_eq!(
            DataScope::for_role(Role::Admin, None, None, None),
            Ok(DataScope::System)
        );
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
    }

    fn fields<'a>(seq: i64, after: &'a str) -> AuditFields<'a> {
        AuditFields {
            seq,
            at: "2026-11-26T09:00:00Z",
            actor: "wujiang",
            client: "127.0.0.1",
            action: "update",
            entity: "observation",
            entity_id: "gdp/440203/2018",
            before: "",
            after,
        }
    }

    #[test]
    fn the_chain_covers_every_field_and_the_previous_link() {
        let a = chain_hash(GENESIS, &fields(1, "{\"value\":1}"));
        assert_eq!(a.len(), 64);
        assert_ne!(a, chain_hash(GENESIS, &fields(1, "{\"value\":2}")));
        assert_ne!(a, chain_hash(GENESIS, &fields(2, "{\"value\":1}")));
        assert_ne!(a, chain_hash(&a, &fields(1, "{\"value\":1}")));
        assert_eq!(a, chain_hash(GENESIS, &fields(1, "{\"value\":1}")));
    }

    proptest! {
        // Length prefixes keep field boundaries: moving text between two fields changes the hash.
        #[test]
        fn shifting_text_between_fields_changes_the_hash(a in "[a-z]{0,8}", b in "[a-z]{1,8}") {
            let joined = format!("{a}{b}");
            let mut x = fields(1, "");
            x.entity = &joined;
            x.entity_id = "";
            let mut y = fields(1, "");
            y.entity = &a;
            y.entity_id = &b;
            prop_assert_ne!(chain_hash(GENESIS, &x), chain_hash(GENESIS, &y));
        }
    }
}
