//! Innovation vouchers (创新券): issued to tech SMEs with a face value and a validity, redeemed
//! once, before they expire, with a registered service provider against a contract and an
//! invoice; the bureau then pays the subsidy as a post-subsidy.

use crate::money::Fen;
use chrono::NaiveDate;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VoucherStatus {
    Issued,
    Redeemed,
    Cancelled,
}

impl VoucherStatus {
    pub fn code(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Redeemed => "redeemed",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Issued, Self::Redeemed, Self::Cancelled]
            .into_iter()
            .find(|x| x.code() == s)
    }
    /// As shown: an issued voucher past its date shows as expired.
    pub fn name(self, expires_on: NaiveDate, today: NaiveDate) -> &'static str {
        match self {
            Self::Issued if today > expires_on => "已过期",
            Self::Issued => "可使用",
            Self::Redeemed => "已兑付",
            Self::Cancelled => "已作废",
        }
    }
}

/// What a redemption brings: the provider and the paper behind the service.
#[derive(Debug, Clone, PartialEq)]
pub struct Redemption {
    pub provider_active: bool,
    pub contract_no: String,
    pub invoice_no: String,
    pub invoice_amount: Fen,
}

crate::problems! {
    /// Why a voucher cannot be redeemed.
    pub enum RedeemRefused {
        AlreadyRedeemed = "voucher_redeemed" {
            zh: "该创新券已兑付，不能重复使用", en: "the voucher has been redeemed already",
        },
        Cancelled = "voucher_cancelled" { zh: "该创新券已作废", en: "the voucher is cancelled" },
        Expired { expires_on: NaiveDate } = "voucher_expired" {
            zh: "该创新券已于 {expires_on} 过期", en: "the voucher expired on {expires_on}",
        },
        Provider = "provider_not_registered" {
            zh: "服务机构未登记或已停用", en: "the provider is not registered or no longer active",
        },
        Documents = "contract_and_invoice_required" {
            zh: "须填写服务合同编号和发票号码", en: "contract and invoice numbers are required",
        },
        Amount = "invoice_amount_not_positive" {
            zh: "发票金额应大于 0", en: "the invoice amount must be positive",
        },
    }
}

/// Whether a voucher may be redeemed today, and the subsidy it gives: its face value, or the
/// invoice when that is smaller.
pub fn check_redeem(
    status: VoucherStatus,
    expires_on: NaiveDate,
    face: Fen,
    today: NaiveDate,
    r: &Redemption,
) -> Result<Fen, RedeemRefused> {
    match status {
        VoucherStatus::Redeemed => return Err(RedeemRefused::AlreadyRedeemed),
        VoucherStatus::Cancelled => return Err(RedeemRefused::Cancelled),
        VoucherStatus::Issued => {}
    }
    if today > expires_on {
        return Err(RedeemRefused::Expired { expires_on });
    }
    if !r.provider_active {
        return Err(RedeemRefused::Provider);
    }
    if r.contract_no.trim().is_empty() || r.invoice_no.trim().is_empty() {
        return Err(RedeemRefused::Documents);
    }
    if r.invoice_amount.0 <= 0 {
        return Err(RedeemRefused::Amount);
    }
    Ok(Fen(face.0.min(r.invoice_amount.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn r(amount: i64) -> Redemption {
        Redemption {
            provider_active: true,
            contract_no: "HT-2019-01".into(),
            invoice_no: "No.0001".into(),
            invoice_amount: Fen(amount),
        }
    }

    #[test]
    fn a_voucher_is_redeemed_once_before_it_expires() {
        let face = Fen(5_000_000);
        let exp = d("2019-12-31");
        assert_eq!(
            check_redeem(
                VoucherStatus::Issued,
                exp,
                face,
                d("2019-06-01"),
                &r(3_000_000)
            ),
            Ok(Fen(3_000_000))
        );
        assert_eq!(
            check_redeem(
                VoucherStatus::Issued,
                exp,
                face,
                d("2019-12-31"),
                &r(9_000_000)
            ),
            Ok(face)
        );
        assert_eq!(
            check_redeem(VoucherStatus::Issued, exp, face, d("2020-01-01"), &r(1)),
            Err(RedeemRefused::Expired { expires_on: exp })
        );
        assert_eq!(
            check_redeem(VoucherStatus::Redeemed, exp, face, d("2019-06-01"), &r(1)),
            Err(RedeemRefused::AlreadyRedeemed)
        );
        let mut unregistered = r(1);
        unregistered.provider_active = false;
        assert_eq!(
            check_redeem(
                VoucherStatus::Issued,
                exp,
                face,
                d("2019-06-01"),
                &unregistered
            ),
            Err(RedeemRefused::Provider)
        );
        assert_eq!(VoucherStatus::Issued.name(exp, d("2020-01-01")), "已过期");
    }
}
