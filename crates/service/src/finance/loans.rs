//! The banks' loans: their files, what a bank sees, compensation claims computed from the
//! agreement, the bureau's review, approval and payment from the reserve, and recoveries.

use super::{field, opt, positive_wan, scope, FinanceInput, Scope};
use crate::auth::{AsBureau, Principal};
use crate::clock::{parse_day, today_in_china};
use crate::{Error, Missing};
use chrono::{Datelike, NaiveDate};
use kechuang_domain::auth::Role;
use kechuang_domain::finance::{
    self as rules, ClaimAction, ClaimBasis, ClaimStatus, Compensation, FinanceProblem, LoanClass,
};
use kechuang_domain::money::Fen;
use kechuang_domain::problem::Lang;
use kechuang_domain::RegionCode;
use kechuang_store::{
    Actor, AgreementRecord, ClaimRecord, LoanFilter, LoanRecord, LoanRevision, NewClaim, Store,
};

/// The loan list's filters as a request gives them.
#[derive(Debug, Clone, Default)]
pub struct LoanQuery<'a> {
    pub bank: Option<&'a str>,
    pub region: Option<&'a str>,
    pub classification: Option<&'a str>,
}

kechuang_domain::problems! {
    pub enum LoanQueryProblem {
        Classification { raw: String } = "invalid_classification" {
            zh: "五级分类 '{raw}' 无效，应为 normal、special_mention、substandard、doubtful 或 loss",
            en: "classification '{raw}' must be normal, special_mention, substandard, doubtful or loss",
        },
        Bank { raw: String } = "invalid_bank" {
            zh: "银行 '{raw}' 应为合作银行的编号", en: "bank '{raw}' must be a partner bank's id",
        },
    }
}

pub async fn loans(
    store: &Store,
    who: &Principal,
    q: &LoanQuery<'_>,
) -> Result<Vec<LoanRecord>, Error> {
    let scope = scope(store, who).await?;
    let mut f = LoanFilter::default();
    if let Some(raw) = q.classification.and_then(opt) {
        f.classification = Some(LoanClass::parse(raw).ok_or_else(|| {
            Error::invalid(LoanQueryProblem::Classification {
                raw: raw.to_owned(),
            })
        })?);
    }
    if let Some(raw) = q.bank.and_then(opt) {
        f.bank_id = Some(raw.parse::<i64>().map_err(|_| {
            Error::invalid(LoanQueryProblem::Bank {
                raw: raw.to_owned(),
            })
        })?);
    }
    match &scope {
        Scope::Regions(r) => {
            f.regions = Some(match q.region.and_then(opt) {
                None => r.clone(),
                Some(one) => {
                    let tree = store.region_tree().await?;
                    let code = who.region_within(&tree, Some(one))?;
                    tree.subtree(&code).iter().map(|c| c.to_string()).collect()
                }
            });
        }
        Scope::Bank(b) => {
            // A bank asking for another bank's loans sees none of them.
            if f.bank_id.is_some_and(|asked| Some(asked) != *b) {
                return Ok(Vec::new());
            }
            f.bank_id = Some(b.unwrap_or(-1));
            if let Some(one) = q.region.and_then(opt) {
                let tree = store.region_tree().await?;
                let code = RegionCode::parse(one).map_err(Error::invalid)?;
                f.regions = Some(tree.subtree(&code).iter().map(|c| c.to_string()).collect());
            }
        }
        Scope::Enterprise(u) => f.uscc = Some(u.clone()),
    }
    Ok(store.loans(&f).await?)
}

/// A loan with its history, its claim if any, and what a claim would bring now.
#[derive(Debug)]
pub struct LoanView {
    pub loan: LoanRecord,
    pub history: Vec<LoanRevision>,
    pub claim: Option<ClaimRecord>,
    /// What claiming it today would bring, or why it cannot be claimed.
    pub claimable: Result<(Compensation, AgreementRecord), Error>,
}

pub async fn loan(store: &Store, who: &Principal, contract_no: &str) -> Result<LoanView, Error> {
    let scope = scope(store, who).await?;
    let loan = store
        .loan(contract_no.trim())
        .await?
        .filter(|l| scope.sees_loan(l))
        .ok_or_else(|| Error::not_found(Missing::OutOfScope))?;
    let claim = store
        .claims(Some(loan.bank_id))
        .await?
        .into_iter()
        .find(|c| c.loan_id == loan.id && c.status != ClaimStatus::Refused);
    let claimable = if claim.is_some() {
        Err(Error::conflict(FinanceProblem::ClaimStep {
            status: "已申请".into(),
            action: "重复申请".into(),
        }))
    } else {
        compute_claim(store, &loan).await
    };
    Ok(LoanView {
        history: store.loan_history(loan.id).await?,
        loan,
        claim,
        claimable,
    })
}

/// The compensation a claim on this loan brings today, by the agreement in force when it was
/// issued.
async fn compute_claim(
    store: &Store,
    loan: &LoanRecord,
) -> Result<(Compensation, AgreementRecord), Error> {
    let today = today_in_china();
    let issued = loan.issued_on.clone();
    let agreement = store
        .agreements(Some(loan.bank_id))
        .await?
        .into_iter()
        .find(|a| a.starts_on <= issued && issued <= a.ends_on)
        .ok_or_else(|| Error::conflict(FinanceProblem::NoAgreement { issued_on: issued }))?;
    let due = NaiveDate::parse_from_str(&loan.due_on, "%Y-%m-%d").map_err(Error::internal)?;
    rules::check_claimable(
        loan.classification,
        due,
        loan.balance,
        agreement.overdue_days.map(|d| d as u32),
        loan.in_pool,
        today,
    )
    .map_err(Error::conflict)?;
    // The kinds of certificate the enterprise held on the day the loan was issued.
    let held: Vec<String> = store
        .certificates_of(&loan.uscc)
        .await?
        .into_iter()
        .map(|c| c.certificate)
        .filter(|c| {
            c.issued_on <= loan.issued_on
                && c.expires_on
                    .as_deref()
                    .is_none_or(|x| x >= loan.issued_on.as_str())
                && c.revoked_on
                    .as_deref()
                    .is_none_or(|x| x > loan.issued_on.as_str())
        })
        .map(|c| c.kind)
        .collect();
    rules::check_covered(
        loan.amount,
        agreement.max_loan,
        &agreement.eligible_kinds,
        &held,
    )
    .map_err(Error::conflict)?;
    let h = store.claim_history(loan, today.year()).await?;
    let c = rules::compensation(
        &agreement.terms(),
        &ClaimBasis {
            outstanding: loan.balance,
            first_loan: h.first_loan,
            unsecured: rules::unsecured(&loan.guarantee),
            granted_to_enterprise: h.granted_to_enterprise,
            granted_to_bank_this_year: h.granted_to_bank_this_year,
        },
    )
    .map_err(Error::conflict)?;
    Ok((c, agreement))
}

/// A bank claims compensation for one of its bad loans; the amount follows its agreement.
pub async fn claim(store: &Store, who: &Principal, contract_no: &str) -> Result<i64, Error> {
    if who.role() != Role::Bank {
        return Err(Error::forbidden(ClaimProblem::BankOnly));
    }
    let view = loan(store, who, contract_no).await?;
    let (c, agreement) = view.claimable?;
    let loan = view.loan;
    Ok(store
        .create_claim(
            &NewClaim {
                loan_id: loan.id,
                bank_id: loan.bank_id,
                agreement_id: agreement.id,
                principal: loan.balance,
                share_bp: c.share_bp,
                amount: c.amount,
                rule_zh: &c.explain(loan.balance, Lang::Zh),
                rule_en: &c.explain(loan.balance, Lang::En),
            },
            &who.actor(),
        )
        .await?)
}

kechuang_domain::problems! {
    pub enum ClaimProblem {
        BankOnly = "bank_only" { zh: "风险补偿由合作银行申请", en: "only a partner bank claims compensation" },
    }
}

pub async fn claims(store: &Store, who: &Principal) -> Result<Vec<ClaimRecord>, Error> {
    let scope = scope(store, who).await?;
    let mut all = match &scope {
        Scope::Bank(b) => store.claims(Some(b.unwrap_or(-1))).await?,
        _ => store.claims(None).await?,
    };
    all.retain(|c| match &scope {
        Scope::Regions(_) => scope.sees_region(&c.region_code),
        Scope::Bank(_) => true,
        Scope::Enterprise(u) => *u == c.uscc,
    });
    Ok(all)
}

pub async fn claim_record(store: &Store, who: &Principal, id: i64) -> Result<ClaimRecord, Error> {
    claims(store, who)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::not_found(Missing::OutOfScope))
}

/// The bureau reviews, a second officer approves, then pays (from the reserve), or refuses.
pub async fn act_on_claim(
    store: &Store,
    who: AsBureau<'_>,
    id: i64,
    action: &str,
    reason: &str,
) -> Result<ClaimStatus, Error> {
    use kechuang_domain::text::fields;
    crate::within_limits(&[(&fields::NOTE, reason)])?;
    let action = ClaimAction::parse(action).ok_or_else(|| {
        Error::not_found(Missing::Action {
            action: action.to_owned(),
        })
    })?;
    let c = claim_record(store, &who, id).await?;
    if action == ClaimAction::Refuse && reason.trim().is_empty() {
        return Err(field("reason", FinanceInput::Required));
    }
    let to = rules::claim_step(c.status, action, c.reviewed_by.as_deref(), who.username())
        .map_err(Error::conflict)?;
    store
        .act_on_claim(id, c.status, to, reason, today_in_china(), &who.actor())
        .await?;
    Ok(to)
}

/// A recovery on a paid claim, reported by its bank or the bureau: the reserve's share of it
/// returns to the reserve.
pub async fn recover(
    store: &Store,
    who: &Principal,
    id: i64,
    amount: &str,
    on: &str,
) -> Result<Fen, Error> {
    if !matches!(who.role(), Role::Bank | Role::Bureau) {
        return Err(Error::not_found(Missing::OutOfScope));
    }
    let c = claim_record(store, who, id).await?;
    if c.status != ClaimStatus::Paid {
        return Err(Error::conflict(FinanceProblem::NotPaid));
    }
    let recovered = positive_wan("amount", amount)?;
    let on = parse_day("occurred_on", on)?;
    let (before_recovered, before_returned) = store.recovered(id).await?;
    let left = Fen(c.principal.0 - before_recovered.0);
    if recovered > left {
        return Err(field(
            "amount",
            FinanceProblem::RecoveryTooLarge {
                most: left.yuan_text(),
            },
        ));
    }
    let share = rules::reserve_share(recovered, c.amount, c.principal, before_returned)
        .map_err(|e| field("amount", e))?;
    store
        .add_recovery(id, recovered, share, on, &who.actor())
        .await?;
    Ok(share)
}

// ---- imports ------------------------------------------------------------------------------------

/// Which finance file is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FinanceFile {
    /// The existing members of the credit risk pool.
    PoolMembers,
    /// A partner bank's loans.
    Loans,
}

/// A finance file to import, as the import path hands it on.
pub struct FileImport<'a> {
    pub file: FinanceFile,
    pub path: &'a std::path::Path,
    pub file_name: &'a str,
    pub dry_run: bool,
    pub actor: &'a Actor,
    /// A bank's own upload: every loan must be this bank's.
    pub bank: Option<i64>,
}

/// What a finance file came to: its rows, every problem (when any, nothing was written) and
/// what was written.
pub struct FileOutcome {
    pub table_rows: usize,
    pub rows: usize,
    pub problems: Vec<kechuang_ingest::RowProblem>,
    pub summary: Option<kechuang_store::WriteSummary>,
}

/// Imports a pool-members or a loans file: every row checked (a bank's upload only its own
/// bank's loans, a contract another bank holds refused), then all written in one transaction
/// or none.
pub async fn import_file(store: &Store, req: &FileImport<'_>) -> Result<FileOutcome, Error> {
    use kechuang_ingest::finance as ingest;
    let path = req.path.to_owned();
    let table = tokio::task::spawn_blocking(move || kechuang_ingest::table::read_table(&path))
        .await
        .map_err(|e| Error::internal(format!("the import's reader stopped: {e}")))?
        .map_err(Error::invalid)?;
    let wanted = ingest::usccs(&table);
    let known = if wanted.is_empty() {
        kechuang_domain::registry::RegionsByUscc::default()
    } else {
        store.enterprise_regions(&wanted).await?
    };
    let tree = store.region_tree().await?;
    let home = tree
        .root()
        .map(|r| r.code.clone())
        .ok_or_else(|| Error::internal("no regions are loaded"))?;
    let banks: Vec<ingest::BankName> = store
        .banks()
        .await?
        .into_iter()
        .map(|b| ingest::BankName {
            id: b.id,
            uscc: b.uscc,
            name: b.name,
        })
        .collect();
    let ctx = ingest::Context {
        tree: &tree,
        home: &home,
        known: &known,
        banks: &banks,
        only_bank: req.bank,
    };
    let mut out = FileOutcome {
        table_rows: table.len(),
        rows: 0,
        problems: Vec::new(),
        summary: None,
    };
    let actor = req.actor;
    match req.file {
        FinanceFile::PoolMembers => {
            let parsed = ingest::parse_members(&table, &ctx);
            out.rows = parsed.count;
            out.problems = parsed.problems;
            if out.problems.is_empty() && !req.dry_run {
                let (added, updated) = store
                    .write_members(&parsed.rows, req.file_name, actor)
                    .await?;
                out.summary = Some(kechuang_store::WriteSummary {
                    inserted: added,
                    updated,
                    unchanged: parsed.rows.len() - added - updated,
                    batch_id: None,
                });
            }
        }
        FinanceFile::Loans => {
            let parsed = ingest::parse_loans(&table, &ctx);
            out.rows = parsed.count;
            out.problems = parsed.problems;
            // A contract another bank registered is refused on its row, not overwritten.
            let contracts: Vec<String> =
                parsed.rows.iter().map(|l| l.contract_no.clone()).collect();
            let holders = store.loan_banks(&contracts).await?;
            for (i, l) in parsed.rows.iter().enumerate() {
                if holders.get(&l.contract_no).is_some_and(|b| *b != l.bank_id) {
                    let row = table
                        .iter()
                        .find(|r| {
                            r.cells
                                .iter()
                                .any(|c| kechuang_ingest::table::normalise(c) == l.contract_no)
                        })
                        .map_or(i + 2, |r| r.number);
                    out.problems.push(kechuang_ingest::RowProblem {
                        row,
                        column: "贷款合同编号".into(),
                        value: l.contract_no.clone(),
                        problem: kechuang_domain::problem::bilingual(
                            &FinanceProblem::ContractTaken {
                                contract_no: l.contract_no.clone(),
                            },
                        ),
                    });
                }
            }
            out.problems.sort_by_key(|p| p.row);
            if out.problems.is_empty() && !req.dry_run {
                let w = store
                    .write_loans(&parsed.rows, req.file_name, actor)
                    .await?;
                out.summary = Some(kechuang_store::WriteSummary {
                    inserted: w.added,
                    updated: w.updated,
                    unchanged: w.unchanged,
                    batch_id: None,
                });
            }
        }
    }
    Ok(out)
}
