//! Backup and restore of the whole database, for the operator at the command line: a
//! consistent copy while the server runs, and its restore into an empty database of either
//! backend, checked afterwards by walking the audit chain.

use crate::Error;
use kechuang_store::{CopySummary, Store, Verification};
use std::path::Path;

kechuang_domain::problems! {
    pub enum BackupProblem {
        ChainBroken { seq: i64, why: String } = "restored_chain_broken" {
            zh: "恢复后的审计链在第 {seq} 条断开：{why}",
            en: "the restored audit chain breaks at entry {seq}: {why}",
        },
    }
}

/// Writes a consistent copy of the database to `file` (which must not exist).
pub async fn backup(store: &Store, file: &Path) -> Result<CopySummary, Error> {
    Ok(store.backup_to(file).await?)
}

/// Restores `file` into this (empty) database and verifies the audit chain it brought.
pub async fn restore(store: &Store, file: &Path) -> Result<(CopySummary, Verification), Error> {
    let copied = store.restore_from(file).await?;
    let verified = store.verify_audit().await?;
    if let Some((seq, why)) = &verified.first_broken {
        return Err(Error::conflict(BackupProblem::ChainBroken {
            seq: *seq,
            why: why.clone(),
        }));
    }
    Ok((copied, verified))
}
