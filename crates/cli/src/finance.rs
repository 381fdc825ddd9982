//! `kechuang finance …`: partner banks and their agreements, contributions to the credit risk
//! reserve and the seed fund, for bureau staff who work from a terminal or a script. The loan
//! and pool-member files are imported with `kechuang import loans|pool-members`.

use crate::operator::operator;
use anyhow::Result;
use clap::Subcommand;
use kechuang_service::finance::{self, AgreementInput, Officer};
use kechuang_store::Store;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum FinanceCommand {
    /// Partner banks: add one with its agreement, list them.
    #[command(subcommand)]
    Bank(BankCommand),
    /// The credit risk reserve: record a contribution, show the balance.
    #[command(subcommand)]
    Reserve(ReserveCommand),
    /// The seed fund: register a fund.
    #[command(subcommand)]
    SeedFund(SeedFundCommand),
}

#[derive(Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "a command line parsed once per run; boxing would only obscure the arguments"
)]
pub enum BankCommand {
    /// Register a partner bank and its agreement, e.g. `--share 30 --bonus-share 35 --cap 300`.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        uscc: String,
        /// Compensation share of the lost principal, percent.
        #[arg(long)]
        share: String,
        /// The share for a first or an unsecured loan, percent.
        #[arg(long, default_value = "")]
        bonus_share: String,
        /// Most compensation for one loan (万元, or with a unit: 3000000元).
        #[arg(long, default_value = "")]
        cap: String,
        /// Most compensation for one enterprise in all (万元).
        #[arg(long, default_value = "")]
        cap_enterprise: String,
        /// Most compensation for the bank in a year (万元).
        #[arg(long, default_value = "")]
        cap_year: String,
        /// The bank's pool loans may reach this multiple of the reserve.
        #[arg(long, default_value = "")]
        multiple: String,
        /// Largest loan the agreement covers (万元).
        #[arg(long, default_value = "")]
        max_loan: String,
        /// Highest yearly interest rate, percent.
        #[arg(long, default_value = "")]
        rate_ceiling: String,
        /// Certificate kinds an enterprise must hold, comma-separated (hte, tech_sme, …).
        #[arg(long, default_value = "")]
        kinds: String,
        /// Days overdue after which a loan can be claimed even if still classified 正常/关注.
        #[arg(long, default_value = "")]
        overdue_days: String,
        /// The agreement's first day [default: today].
        #[arg(long, default_value = "")]
        from: String,
        /// The agreement's last day [default: three years on].
        #[arg(long, default_value = "")]
        to: String,
    },
    /// List partner banks with the agreement in force.
    List,
}

#[derive(Subcommand)]
pub enum ReserveCommand {
    /// Record a contribution: `--source province|city|county [--region 440203] --amount 500 --on 2018-06-30`.
    Add {
        #[arg(long)]
        source: String,
        #[arg(long, default_value = "")]
        region: String,
        /// 万元, or with a unit.
        #[arg(long)]
        amount: String,
        #[arg(long)]
        on: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// The balance at a date [default: today]: contributions, compensation paid, recoveries.
    Show {
        #[arg(long)]
        on: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum SeedFundCommand {
    /// Register a seed fund: `--name 韶关市科技创新创业种子基金 --committed 3000 --established 2018-03-01`.
    Add {
        #[arg(long)]
        name: String,
        /// Committed size, 万元.
        #[arg(long)]
        committed: String,
        /// Paid-in public capital, 万元.
        #[arg(long, default_value = "")]
        paid_in: String,
        #[arg(long)]
        established: String,
        /// The oldest (years since founding) an enterprise may be to be invested in.
        #[arg(long, default_value = "5")]
        max_age: String,
        #[arg(long, default_value = "")]
        manager: String,
    },
}

pub async fn run(store: &Store, cmd: FinanceCommand) -> Result<ExitCode> {
    let who = Officer::Operator(operator());
    match cmd {
        FinanceCommand::Bank(BankCommand::Add {
            name,
            uscc,
            share,
            bonus_share,
            cap,
            cap_enterprise,
            cap_year,
            multiple,
            max_loan,
            rate_ceiling,
            kinds,
            overdue_days,
            from,
            to,
        }) => {
            let terms = AgreementInput {
                starts_on: from,
                ends_on: to,
                share,
                bonus_share,
                cap_per_loan: cap,
                cap_per_enterprise: cap_enterprise,
                cap_per_bank_year: cap_year,
                total_multiple: multiple,
                max_loan,
                rate_ceiling,
                eligible_kinds: kinds,
                overdue_days,
            };
            let id = finance::add_bank(store, &who, &name, &uscc, &terms).await?;
            println!(
                "已登记合作银行 (partner bank registered): {id}\t{}",
                name.trim()
            );
        }
        FinanceCommand::Bank(BankCommand::List) => {
            let agreements = store.agreements(None).await?;
            for b in store.banks().await? {
                println!("{}\t{}\t{}", b.id, b.uscc, b.name);
                for a in agreements.iter().filter(|a| a.bank_id == b.id) {
                    println!(
                        "\t{} — {}\t补偿比例 (share) {}%{}",
                        a.starts_on,
                        a.ends_on,
                        a.share_bp as f64 / 100.0,
                        a.bonus_share_bp
                            .map(|b| format!("（首贷/信用 {}%）", b as f64 / 100.0))
                            .unwrap_or_default()
                    );
                }
            }
        }
        FinanceCommand::Reserve(ReserveCommand::Add {
            source,
            region,
            amount,
            on,
            note,
        }) => {
            let id =
                finance::contribute(store, &who, &source, &region, &amount, &on, &note).await?;
            println!("已记入风险准备金 (contribution recorded): {id}");
        }
        FinanceCommand::Reserve(ReserveCommand::Show { on }) => {
            let day = kechuang_service::clock::parse_optional_day("on", on.as_deref())?
                .unwrap_or_else(kechuang_service::clock::today_in_china);
            let b = store.reserve_balance(day).await?;
            println!(
                "{day}\t注资 (contributions) {} 万元\t补偿 (compensation) {} 万元\t追回 (recoveries) {} 万元\t余额 (balance) {} 万元",
                b.contributions.wan_text(),
                b.compensation.wan_text(),
                b.recoveries.wan_text(),
                b.balance().wan_text()
            );
        }
        FinanceCommand::SeedFund(SeedFundCommand::Add {
            name,
            committed,
            paid_in,
            established,
            max_age,
            manager,
        }) => {
            let fund = finance::FundInput {
                name: &name,
                committed: &committed,
                paid_in: &paid_in,
                established_on: &established,
                max_age_years: &max_age,
                manager: &manager,
            };
            let id = finance::add_seed_fund(store, &who, &fund).await?;
            println!(
                "已登记种子基金 (seed fund registered): {id}\t{}",
                name.trim()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
