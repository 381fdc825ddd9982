//! The second factor's records: TOTP secrets and the last step used, recovery codes (as
//! SHA-256 digests), the roles that must use it, and logins waiting for their code. Every
//! change to an account's second factor is audited in the same transaction.

use crate::accounts::{end_access, parse_time, time_text, user, user_id};
use crate::audit::{append, Actor, AuditEntry};
use crate::{now_utc, Refusal, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use kechuang_domain::auth::Role;
use kechuang_domain::second_factor::CHALLENGE_MINUTES;
use sqlx::{Any, Row, Transaction};

use crate::User;

/// A login whose password was right, waiting for its code.
#[derive(Debug, Clone)]
pub struct Challenge {
    pub user: User,
    pub client: String,
    pub created_at: DateTime<Utc>,
}

async fn replace_codes(
    tx: &mut Transaction<'static, Any>,
    user_id: i64,
    digests: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    for d in digests {
        sqlx::query("INSERT INTO recovery_codes (user_id, digest) VALUES ($1, $2)")
            .bind(user_id)
            .bind(d)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

fn user_entry<'a>(
    by: &'a Actor,
    action: &'a str,
    username: &'a str,
    after: String,
) -> AuditEntry<'a> {
    AuditEntry {
        actor: by,
        action,
        entity: "user",
        entity_id: username,
        before: String::new(),
        after,
    }
}

impl Store {
    /// The roles whose accounts must log in with a second factor.
    pub async fn second_factor_roles(&self) -> Result<Vec<Role>> {
        let names: Vec<String> =
            sqlx::query_scalar("SELECT role FROM second_factor_roles ORDER BY role")
                .fetch_all(&self.read)
                .await?;
        names
            .iter()
            .map(|n| Role::parse(n).ok_or_else(|| StoreError::Corrupt(format!("role {n}"))))
            .collect()
    }

    /// Sets the roles that must use the second factor. Sessions already open follow at once:
    /// one of an account that now needs to enrol may only enrol; one that no longer needs to
    /// goes on as before.
    pub async fn set_second_factor_roles(&self, roles: &[Role], by: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before: Vec<String> =
            sqlx::query_scalar("SELECT role FROM second_factor_roles ORDER BY role")
                .fetch_all(&mut *tx)
                .await?;
        sqlx::query("DELETE FROM second_factor_roles")
            .execute(&mut *tx)
            .await?;
        for r in roles {
            sqlx::query("INSERT INTO second_factor_roles (role) VALUES ($1)")
                .bind(r.as_str())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE sessions SET second_factor_due = CASE WHEN user_id IN \
             (SELECT u.id FROM users u JOIN second_factor_roles r ON r.role = u.role \
              WHERE u.totp_secret IS NULL) THEN 1 ELSE 0 END",
        )
        .execute(&mut *tx)
        .await?;
        let after: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: "second_factor.roles",
                entity: "second_factor",
                entity_id: "roles",
                before: serde_json::json!(before).to_string(),
                after: serde_json::json!(after).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps the secret shown to an account for enrolment until a code confirms it.
    pub async fn set_totp_pending(&self, user_id: i64, secret: &str) -> Result<()> {
        sqlx::query("UPDATE users SET totp_pending = $1 WHERE id = $2 AND totp_secret IS NULL")
            .bind(secret)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Makes the pending secret the account's, with the step of the code that confirmed it
    /// and new recovery codes; its sessions no longer wait for enrolment. Refused if the
    /// account enrolled meanwhile or has nothing pending.
    pub async fn enrol_totp(
        &self,
        username: &str,
        step: i64,
        recovery_digests: &[String],
        by: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let id = user_id(&mut tx, username).await?;
        let done = sqlx::query(
            "UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_step = $1, \
             totp_enrolled_at = $2 WHERE id = $3 AND totp_pending IS NOT NULL AND totp_secret IS NULL",
        )
        .bind(step)
        .bind(now_utc())
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done != 1 {
            return Err(StoreError::Refused(Refusal::NotEnrolling));
        }
        replace_codes(&mut tx, id, recovery_digests).await?;
        sqlx::query("UPDATE sessions SET second_factor_due = 0 WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        append(
            &mut tx,
            &user_entry(
                by,
                "user.second_factor_enrol",
                username,
                serde_json::json!({ "recovery_codes": recovery_digests.len() }).to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces an account's recovery codes; the old ones stop working.
    pub async fn replace_recovery_codes(
        &self,
        username: &str,
        digests: &[String],
        by: &Actor,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let id = user_id(&mut tx, username).await?;
        replace_codes(&mut tx, id, digests).await?;
        append(
            &mut tx,
            &user_entry(
                by,
                "user.recovery_codes",
                username,
                serde_json::json!({ "recovery_codes": digests.len() }).to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that a code of `step` was accepted, unless that step or a later one already
    /// was: false means the code was used before (a replay).
    pub async fn accept_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE users SET totp_step = $1 WHERE id = $2 AND totp_step < $1 \
             AND totp_secret IS NOT NULL",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Uses up a recovery code: false if the account has no such unused code.
    pub async fn use_recovery_code(&self, user: &User, digest: &str, by: &Actor) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND digest = $3 \
             AND used_at IS NULL",
        )
        .bind(now_utc())
        .bind(user.id)
        .bind(digest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Ok(false);
        }
        append(
            &mut tx,
            &user_entry(by, "user.recovery_code_used", &user.username, String::new()),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Recovery codes the account has not used.
    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.read)
        .await?)
    }

    /// Removes an account's second factor (a lost phone and lost codes): its sessions end,
    /// and if its role requires one it enrols again at the next login.
    pub async fn reset_second_factor(&self, username: &str, by: &Actor) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let id = user_id(&mut tx, username).await?;
        let had: Option<String> = sqlx::query_scalar("SELECT totp_secret FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE users SET totp_secret = NULL, totp_pending = NULL, totp_step = 0, \
             totp_enrolled_at = NULL WHERE id = $1",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        replace_codes(&mut tx, id, &[]).await?;
        sqlx::query("DELETE FROM login_challenges WHERE user_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        end_access(&mut tx, id).await?;
        append(
            &mut tx,
            &AuditEntry {
                actor: by,
                action: "user.second_factor_reset",
                entity: "user",
                entity_id: username,
                before: serde_json::json!({ "enrolled": had.is_some() }).to_string(),
                after: serde_json::json!({ "enrolled": false }).to_string(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- logins waiting for their code -------------------------------------------------

    /// Opens a login's wait for its code; waits that have run out are cleared on the way.
    pub async fn create_challenge(&self, digest: &str, user_id: i64, client: &str) -> Result<()> {
        let now = Utc::now();
        let stale = time_text(now - chrono::Duration::minutes(CHALLENGE_MINUTES));
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM login_challenges WHERE created_at < $1")
            .bind(stale)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO login_challenges (digest, user_id, client, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(digest)
        .bind(user_id)
        .bind(client)
        .bind(time_text(now))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn challenge(&self, digest: &str) -> Result<Option<Challenge>> {
        let row = sqlx::query(
            "SELECT u.*, c.client AS c_client, c.created_at AS c_created \
             FROM login_challenges c JOIN users u ON u.id = c.user_id WHERE c.digest = $1",
        )
        .bind(digest)
        .fetch_optional(&self.read)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let created: String = r.try_get("c_created")?;
        Ok(Some(Challenge {
            user: user(&r)?,
            client: r.try_get("c_client")?,
            created_at: parse_time(&created)?,
        }))
    }

    /// Ends a login's wait; false if it had already ended (used by a concurrent request).
    pub async fn end_challenge(&self, digest: &str) -> Result<bool> {
        let n = sqlx::query("DELETE FROM login_challenges WHERE digest = $1")
            .bind(digest)
            .execute(&self.write)
            .await?
            .rows_affected();
        Ok(n == 1)
    }
}
