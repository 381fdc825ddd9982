//! Whom the audit trail names for a command-line action: the account given with `--as USER`,
//! otherwise the operating-system account that ran the command (`cli:root`). Set once, before
//! any command runs, so every command records the same actor.

use anyhow::{bail, Result};
use kechuang_store::{Actor, Store};
use std::sync::OnceLock;

static AS_USER: OnceLock<String> = OnceLock::new();

/// Records the actions of this run under a kechuang account; it must exist and be enabled, so
/// the trail never names someone who cannot be found.
pub(crate) async fn act_as(store: &Store, username: &str) -> Result<()> {
    let username = username.trim();
    match store.user_by_name(username).await? {
        Some(u) if !u.disabled => {
            let _ = AS_USER.set(u.username);
            Ok(())
        }
        Some(_) => bail!("账号 {username} 已停用 (account {username} is disabled)"),
        None => bail!("没有账号 {username} (no account {username})"),
    }
}

pub(crate) fn operator() -> Actor {
    Actor::new(actor_name(), "cli")
}

pub(crate) fn actor_name() -> String {
    match AS_USER.get() {
        Some(u) => u.clone(),
        None => format!("cli:{}", system_account()),
    }
}

/// The login name of the process's user: `USER` or `LOGNAME` in a shell; under a service
/// manager, which sets neither, the name /etc/passwd gives the process's uid.
fn system_account() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(v) = std::env::var(var) {
            if !v.trim().is_empty() {
                return v;
            }
        }
    }
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        });
    let Some(uid) = uid else {
        return "system".into();
    };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|p| {
            p.lines().find_map(|l| {
                let mut f = l.split(':');
                let name = f.next()?;
                (f.nth(1)? == uid).then(|| name.to_owned())
            })
        })
        .unwrap_or_else(|| format!("uid{uid}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_system_account_has_a_name() {
        let name = super::system_account();
        assert!(!name.is_empty() && name != "unknown");
    }
}
