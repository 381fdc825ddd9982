//! `kechuang programme …`: budgets, batch rewards (preview, commit) and the steps a batch
//! goes through, for bureau staff who work from a terminal or a script.

use crate::operator::operator;
use anyhow::Result;
use clap::Subcommand;
use kechuang_domain::programme::LineStatus;
use kechuang_service::programmes::{
    commit_batch, parse_amount, parse_year, preview_batch, step, BatchPreview, FundsScope,
};
use kechuang_store::Store;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum ProgrammeCommand {
    /// List programmes with their budgets.
    List,
    /// Set a programme's budget for a year, e.g. `--amount 1500万元`.
    Budget {
        code: String,
        #[arg(long)]
        year: String,
        #[arg(long)]
        amount: String,
    },
    /// Apply a programme's rules to the registries for a year; commit the result as a batch
    /// awaiting review, or with --dry-run only show it.
    Batch {
        code: String,
        #[arg(long)]
        year: String,
        /// Show who qualifies, why and how much; write nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// List batches, newest first.
    Batches { code: Option<String> },
    /// Take a step on a batch: review, publish (public notice), approve, pay or void.
    Step {
        batch: i64,
        /// review | publish | approve | pay | void
        action: String,
        #[arg(long)]
        comment: Option<String>,
        /// publish: the notice's first day (default today).
        #[arg(long)]
        notice_start: Option<String>,
        /// pay: the payment's date (default today).
        #[arg(long)]
        paid_on: Option<String>,
        /// pay: the payment voucher's reference.
        #[arg(long = "ref")]
        payment_ref: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub async fn run(store: &Store, cmd: ProgrammeCommand) -> Result<ExitCode> {
    match cmd {
        ProgrammeCommand::List => {
            let budgets = store.budget_lines(None).await?;
            for p in store.programmes().await? {
                println!(
                    "{}\t{}\t{}\t{}—{}",
                    p.code,
                    p.name,
                    p.kind.name(),
                    p.from_year,
                    p.to_year.map(|y| y.to_string()).unwrap_or_default()
                );
                for b in budgets.iter().filter(|b| b.programme_code == p.code) {
                    println!(
                        "\t{} 年预算 (budget) {} 元；已批准 (committed) {}；已拨付 (paid) {}；待批 (proposed) {}",
                        b.year,
                        b.amount.yuan_text(),
                        b.committed.yuan_text(),
                        b.paid.yuan_text(),
                        b.proposed.yuan_text()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Budget { code, year, amount } => {
            let year = parse_year(&year)?;
            let amount = parse_amount(&amount)?;
            kechuang_service::programmes::set_budget(
                store,
                &FundsScope::operator(),
                &code,
                year,
                amount,
                &operator(),
            )
            .await?;
            println!(
                "{code} {year} 年预算已设为 {} 元 (budget set)",
                amount.yuan_text()
            );
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Batch {
            code,
            year,
            dry_run,
            format,
        } => {
            let year = parse_year(&year)?;
            if dry_run {
                let p = preview_batch(store, &FundsScope::operator(), &code, year).await?;
                show(&p, format)?;
                return Ok(ExitCode::SUCCESS);
            }
            let (id, p) =
                commit_batch(store, &FundsScope::operator(), &code, year, &operator()).await?;
            show(&p, format)?;
            eprintln!(
                "已创建批次 {id}，待审核 (batch {id} created, awaiting review): {} 项，共 {} 元",
                p.preview.due().count(),
                p.preview.due_total.yuan_text()
            );
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Batches { code } => {
            let today = kechuang_service::clock::today_in_china();
            for b in store.batches(code.as_deref()).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{} 项\t{} 元\t{}",
                    b.id,
                    b.programme_code,
                    b.year,
                    // Where it stands today, as the pages say it (公示期满待审批 …).
                    b.stage(today).name(),
                    b.award_count,
                    b.total.yuan_text(),
                    match (&b.notice_start, &b.notice_end) {
                        (Some(s), Some(e)) => format!("公示 {s} 至 {e}"),
                        _ => String::new(),
                    }
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        ProgrammeCommand::Step {
            batch,
            action,
            comment,
            notice_start,
            paid_on,
            payment_ref,
        } => {
            let s = step(
                &action,
                comment.as_deref(),
                notice_start.as_deref(),
                paid_on.as_deref(),
                payment_ref.as_deref(),
            )?;
            let to = kechuang_service::programmes::take_step(
                store,
                &FundsScope::operator(),
                batch,
                &s,
                &operator(),
            )
            .await?;
            println!("批次 {batch}：{} ({})", to.name(), to.name_en());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// One entitlement as `--format json` prints it, fields in this order.
#[derive(serde::Serialize)]
struct Due<'a> {
    uscc: &'a str,
    name: &'a str,
    region: &'a str,
    basis: &'a str,
    amount_fen: i64,
}

/// The entitlements due, as JSON (`uscc`, `name`, `basis`, `amount_fen`) or as a table with
/// every line and its status; what is held back is said on standard error.
fn show(p: &BatchPreview, format: Format) -> Result<()> {
    match format {
        Format::Json => {
            let due: Vec<Due> = p
                .preview
                .due()
                .map(|e| Due {
                    uscc: &e.uscc,
                    name: &e.name,
                    region: &e.region_code,
                    basis: &e.basis,
                    amount_fen: e.amount.0,
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&due)?);
        }
        Format::Table => {
            for l in &p.preview.lines {
                let e = &l.entitlement;
                let status = match &l.status {
                    LineStatus::Due => "应奖补 (due)".to_owned(),
                    LineStatus::AlreadyAwarded { batch } => {
                        format!("已在批次 {batch} 奖补 (already awarded)")
                    }
                    LineStatus::OverBudget => "超出预算 (over budget)".to_owned(),
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{status}",
                    e.uscc,
                    e.name,
                    e.region_code,
                    e.basis,
                    e.amount.yuan_text()
                );
            }
        }
    }
    let held: Vec<_> = p
        .preview
        .lines
        .iter()
        .filter(|l| l.status == LineStatus::OverBudget)
        .collect();
    if p.budget.is_none() {
        eprintln!(
            "注意：{} 尚未设置 {} 年预算 (no budget is set for {}); `kechuang programme budget {} --year {} --amount …`",
            p.programme.code, p.year, p.year, p.programme.code, p.year
        );
    }
    if !held.is_empty() {
        eprintln!(
            "注意：{} 项因预算不足未列入 ({} held back: the budget is short)",
            held.len(),
            held.len()
        );
    }
    if p.preview.due().next().is_none() && p.preview.lines.is_empty() {
        eprintln!("没有符合条件的对象 (nobody qualifies)");
    } else if p.preview.due().next().is_none() {
        eprintln!("没有应奖补的新对象 (nothing new is due)");
    }
    Ok(())
}
