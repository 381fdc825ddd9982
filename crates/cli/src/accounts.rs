//! `kechuang user|token|audit`: accounts, API tokens and the audit trail from the command
//! line, for the operator who sets a deployment up. There is no default password: the first
//! administrator is created here.

use anyhow::{bail, Context as _, Result};
use clap::{Args, Subcommand};
use kechuang_service::accounts::{self, NewAccount, ScopeInput};
use kechuang_service::second_factor;
use kechuang_store::{AuditFilter, Store};
use std::io::BufRead;
use std::process::ExitCode;

#[derive(Args)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    password_stdin: bool,
}

/// An account's role and what it sees.
#[derive(Args)]
pub struct ScopeArgs {
    /// admin, bureau, county, enterprise, bank, expert or unit (a responsible unit).
    #[arg(long)]
    role: String,
    /// The region of a bureau or county account (its data scope), e.g. 440203.
    #[arg(long)]
    region: Option<String>,
    /// The enterprise of an enterprise account.
    #[arg(long)]
    uscc: Option<String>,
    /// The organisation: for a bank account the bank, for a unit account its responsible
    /// unit by code or name (e.g. czj or 市财政局) — their data scope.
    #[arg(long)]
    org: Option<String>,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account. Its owner must change the password at first login.
    Add {
        username: String,
        #[command(flatten)]
        scope: ScopeArgs,
        #[arg(long, default_value = "")]
        display_name: String,
        #[arg(long, default_value = "")]
        phone: String,
        #[arg(long, default_value = "")]
        email: String,
        #[command(flatten)]
        password: PasswordSource,
        /// Let the password stand without a change at first login (service accounts; the
        /// password policy still applies).
        #[arg(long)]
        no_forced_change: bool,
    },
    /// List accounts.
    List,
    /// Set a new password; its owner must change it at the next login.
    Passwd {
        username: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Disable an account: its sessions and tokens end at once.
    Disable { username: String },
    /// Enable a disabled account.
    Enable { username: String },
    /// Change an account's role and data scope (ends its sessions and tokens).
    Role {
        username: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
    /// Remove an account's second factor (its owner lost the phone and the recovery codes):
    /// its sessions end, and it enrols again at its next login if its role must.
    ResetSecondFactor { username: String },
    /// Show, or with --set choose, the roles that must log in with a second factor (TOTP).
    /// Administrators always must.
    SecondFactorRoles {
        /// Comma-separated roles, e.g. admin,bureau.
        #[arg(long, value_delimiter = ',')]
        set: Option<Vec<String>>,
    },
}

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an account (its role and scope); printed once.
    Create {
        username: String,
        #[arg(long)]
        name: String,
        /// Days until it expires; none for no expiry.
        #[arg(long)]
        days: Option<u32>,
    },
}

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain; exit non-zero at the first broken link.
    Verify,
    /// Print entries, newest first.
    List {
        #[arg(long)]
        actor: Option<String>,
        #[arg(long)]
        entity: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

use crate::operator::operator;

fn read_password(src: &PasswordSource, username: &str) -> Result<String> {
    let pw = if src.password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("无法读取标准输入 (cannot read standard input)")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    } else {
        let first = rpassword::prompt_password("密码 (password): ")?;
        let again = rpassword::prompt_password("再次输入 (again): ")?;
        if first != again {
            bail!("两次输入的密码不一致 (the passwords differ)");
        }
        first
    };
    accounts::policy(&pw, username)?;
    Ok(pw)
}

impl ScopeArgs {
    fn input(&self) -> ScopeInput {
        ScopeInput {
            role: self.role.clone(),
            region: self.region.clone(),
            uscc: self.uscc.clone(),
            org: self.org.clone(),
        }
    }
}

pub async fn user(store: &Store, cmd: UserCommand) -> Result<ExitCode> {
    match cmd {
        UserCommand::Add {
            username,
            scope: args,
            display_name,
            phone,
            email,
            password,
            no_forced_change,
        } => {
            // Refuse a bad name or scope before asking for a password.
            kechuang_domain::auth::check_username(&username).map_err(anyhow::Error::msg)?;
            accounts::parse_scope(store, &args.input()).await?;
            let password = read_password(&password, &username)?;
            let account = NewAccount {
                username: username.clone(),
                display_name,
                phone,
                email,
                organisation: args.org.clone().unwrap_or_default(),
                scope: args.input(),
                password,
                must_change_password: !no_forced_change,
            };
            let user = accounts::create_account(store, &account, &operator()).await?;
            let (role, scope) = (user.role, user.scope);
            println!(
                "已创建用户 {username} (user created): {} {}",
                role.as_str(),
                scope.label()
            );
        }
        UserCommand::List => {
            for u in store.users().await? {
                println!(
                    "{}\t{}\t{}\t{}{}{}",
                    u.username,
                    u.role.as_str(),
                    u.scope.label(),
                    u.display_name,
                    if u.has_second_factor() { "\t(2FA)" } else { "" },
                    if u.disabled { "\t(disabled)" } else { "" }
                );
            }
        }
        UserCommand::Passwd { username, password } => {
            let pw = read_password(&password, &username)?;
            accounts::reset_password(store, &username, &pw, &operator()).await?;
            println!("已重置密码，下次登录须修改 (password reset; to be changed at next login)");
        }
        UserCommand::Disable { username } => {
            accounts::set_disabled(store, &username, true, &operator()).await?;
            println!("已停用 {username} (disabled)");
        }
        UserCommand::Enable { username } => {
            accounts::set_disabled(store, &username, false, &operator()).await?;
            println!("已启用 {username} (enabled)");
        }
        UserCommand::Role {
            username,
            scope: args,
        } => {
            let (role, scope) =
                accounts::change_role(store, &username, &args.input(), &operator()).await?;
            println!("已变更 {username}: {} {}", role.as_str(), scope.label());
        }
        UserCommand::ResetSecondFactor { username } => {
            second_factor::reset(store, &username, &operator()).await?;
            println!("已重置 {username} 的二次验证 (second factor removed)");
        }
        UserCommand::SecondFactorRoles { set } => {
            let roles = match set {
                Some(names) => {
                    second_factor::set_required_roles(store, &names, &operator()).await?
                }
                None => second_factor::required_roles(store).await?,
            };
            let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
            println!("{}", names.join(","));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn token(store: &Store, cmd: TokenCommand) -> Result<ExitCode> {
    let TokenCommand::Create {
        username,
        name,
        days,
    } = cmd;
    let token = accounts::create_token_for(store, &username, &name, days, &operator()).await?;
    // Only the token on standard output, so scripts can capture it.
    println!("{token}");
    Ok(ExitCode::SUCCESS)
}

pub async fn audit(store: &Store, cmd: AuditCommand) -> Result<ExitCode> {
    match cmd {
        AuditCommand::Verify => {
            let v = store.verify_audit().await?;
            match v.first_broken {
                None => {
                    println!(
                        "审计链完整 (audit chain intact): {} 条 (entries)",
                        v.entries
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Some((seq, why)) => {
                    eprintln!("审计链断裂于第 {seq} 条 (chain broken at entry {seq}): {why}");
                    Ok(ExitCode::FAILURE)
                }
            }
        }
        AuditCommand::List {
            actor,
            entity,
            limit,
        } => {
            let page = store
                .audit_entries(
                    &AuditFilter {
                        actor,
                        entity,
                        ..AuditFilter::default()
                    },
                    1,
                    limit,
                )
                .await?;
            for e in page.items {
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{} {}\t{}\t{}",
                    e.seq,
                    e.at,
                    e.actor,
                    e.client,
                    e.action,
                    e.entity,
                    e.entity_id,
                    e.before,
                    e.after
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
