//! Off-site applicants (异地申报, plan §三(八)25): an enterprise registered outside the city —
//! its headquarters and R&D in the Pearl River Delta, say — with an operating site (a plant) in
//! one of the city's counties. The rules here: which enterprise is off-site for which county,
//! and what a site registration must hold.

use crate::region::RegionCode;
use crate::uscc::Uscc;

/// The prefecture a GB/T 2260 code belongs to: its first four digits (`4402` for Shaoguan and
/// every county in it, `4419` for Dongguan, which has no counties).
fn prefecture(code: &str) -> &str {
    code.get(..4).unwrap_or(code)
}

/// Whether an enterprise with this code is off-site for a county: registered in another
/// prefecture (another city of the province, another province, or nationally, `100000`).
pub fn is_offsite(uscc: &Uscc, county: &RegionCode) -> bool {
    prefecture(uscc.region_part()) != prefecture(county.as_str())
}

/// Guangdong's prefecture-level cities by the first four digits of their codes (GB/T 2260).
const GUANGDONG: [(&str, &str, &str); 21] = [
    ("4401", "广州市", "Guangzhou"),
    ("4402", "韶关市", "Shaoguan"),
    ("4403", "深圳市", "Shenzhen"),
    ("4404", "珠海市", "Zhuhai"),
    ("4405", "汕头市", "Shantou"),
    ("4406", "佛山市", "Foshan"),
    ("4407", "江门市", "Jiangmen"),
    ("4408", "湛江市", "Zhanjiang"),
    ("4409", "茂名市", "Maoming"),
    ("4412", "肇庆市", "Zhaoqing"),
    ("4413", "惠州市", "Huizhou"),
    ("4414", "梅州市", "Meizhou"),
    ("4415", "汕尾市", "Shanwei"),
    ("4416", "河源市", "Heyuan"),
    ("4417", "阳江市", "Yangjiang"),
    ("4418", "清远市", "Qingyuan"),
    ("4419", "东莞市", "Dongguan"),
    ("4420", "中山市", "Zhongshan"),
    ("4451", "潮州市", "Chaozhou"),
    ("4452", "揭阳市", "Jieyang"),
    ("4453", "云浮市", "Yunfu"),
];

/// Provinces and their peers by the first two digits.
const PROVINCES: [(&str, &str, &str); 31] = [
    ("11", "北京市", "Beijing"),
    ("12", "天津市", "Tianjin"),
    ("13", "河北省", "Hebei"),
    ("14", "山西省", "Shanxi"),
    ("15", "内蒙古自治区", "Inner Mongolia"),
    ("21", "辽宁省", "Liaoning"),
    ("22", "吉林省", "Jilin"),
    ("23", "黑龙江省", "Heilongjiang"),
    ("31", "上海市", "Shanghai"),
    ("32", "江苏省", "Jiangsu"),
    ("33", "浙江省", "Zhejiang"),
    ("34", "安徽省", "Anhui"),
    ("35", "福建省", "Fujian"),
    ("36", "江西省", "Jiangxi"),
    ("37", "山东省", "Shandong"),
    ("41", "河南省", "Henan"),
    ("42", "湖北省", "Hubei"),
    ("43", "湖南省", "Hunan"),
    ("44", "广东省", "Guangdong"),
    ("45", "广西壮族自治区", "Guangxi"),
    ("46", "海南省", "Hainan"),
    ("50", "重庆市", "Chongqing"),
    ("51", "四川省", "Sichuan"),
    ("52", "贵州省", "Guizhou"),
    ("53", "云南省", "Yunnan"),
    ("54", "西藏自治区", "Tibet"),
    ("61", "陕西省", "Shaanxi"),
    ("62", "甘肃省", "Gansu"),
    ("63", "青海省", "Qinghai"),
    ("64", "宁夏回族自治区", "Ningxia"),
    ("65", "新疆维吾尔自治区", "Xinjiang"),
];

/// Where a credit code says the enterprise was registered, as people name it: a Guangdong
/// city (`广东省东莞市`), another province (`江苏省`), or nationally (`国家市场监督管理总局`),
/// with the code when nothing better is known.
pub fn registered_in(uscc: &str, en: bool) -> String {
    let Some(region) = uscc.get(2..8) else {
        return String::new();
    };
    let pick = |zh: &str, e: &str| if en { e.to_owned() } else { zh.to_owned() };
    if region == "100000" {
        return pick(
            "国家市场监督管理总局",
            "State Administration for Market Regulation",
        );
    }
    if let Some((_, zh, e)) = GUANGDONG.iter().find(|(c, ..)| region.starts_with(c)) {
        return if en {
            format!("{e}, Guangdong ({region})")
        } else {
            format!("广东省{zh}（{region}）")
        };
    }
    match PROVINCES.iter().find(|(c, ..)| region.starts_with(c)) {
        Some((_, _, e)) if en => format!("{e} ({region})"),
        Some((_, zh, _)) => format!("{zh}（{region}）"),
        None => region.to_owned(),
    }
}

crate::problems! {
    /// What can be wrong with an operating site or an off-site application.
    pub enum SiteProblem {
        NotOffsite { region: String } = "site_not_offsite" {
            zh: "该企业的统一社会信用代码显示其登记在本市（{region}），无需登记异地经营场所",
            en: "the enterprise's credit code shows it is registered in this city ({region}); no off-site registration is needed",
        },
        NotACounty { code: String } = "site_not_a_county" {
            zh: "经营场所所在县（市、区）'{code}' 不是本系统的县级区划",
            en: "'{code}' is not a county of this deployment",
        },
        Required { field: String } = "site_field_required" {
            zh: "请填写{field}", en: "{field} is required",
        },
        EvidenceRequired = "site_evidence_required" {
            zh: "请上传经营场所证明材料（租赁合同、产权证明或厂房照片等）",
            en: "upload evidence of the site (a lease, a property certificate or photographs)",
        },
        FileType { name: String } = "site_file_type" {
            zh: "「{name}」不是可接受的证明材料（接受 pdf、jpg、png、ofd、doc、docx、zip 等）",
            en: "'{name}' is not accepted as evidence (pdf, jpg, png, ofd, doc, docx, zip …)",
        },
        FileTooLarge { name: String } = "site_file_too_large" {
            zh: "「{name}」超过 20 MB", en: "'{name}' is larger than 20 MB",
        },
        TooManyFiles = "site_too_many_files" {
            zh: "每个经营场所最多 10 份证明材料", en: "a site holds at most 10 evidence files",
        },
        CallNotOffsite = "call_not_offsite" {
            zh: "本申报指南不接受异地申报：仅限在本市登记的企业",
            en: "this call does not accept off-site applicants: only enterprises registered in the city",
        },
        NoSite = "offsite_no_site" {
            zh: "请先登记在本市的经营场所（异地经营场所登记），再申报",
            en: "register your operating site in the city first, then apply",
        },
        SiteOutsideProgramme = "offsite_site_outside" {
            zh: "所选经营场所不在本项目的资助范围内", en: "the chosen site is outside the programme's region",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn county(code: &str) -> RegionCode {
        RegionCode::parse(code).expect("a region code")
    }

    #[test]
    fn a_dongguan_enterprise_is_offsite_in_wengyuan_and_a_shaoguan_one_is_not() {
        let dongguan = Uscc::complete("91441900", "MA4UJ6Q2").expect("completes");
        let shaoguan = Uscc::complete("91440229", "MA4UJ6Q2").expect("completes");
        let beijing = Uscc::complete("91110105", "MA4UJ6Q2").expect("completes");
        assert!(is_offsite(&dongguan, &county("440229")));
        assert!(is_offsite(&beijing, &county("440229")));
        assert!(!is_offsite(&shaoguan, &county("440229")));
        // Registered in one county of the city, a plant in another: still the city's own.
        assert!(!is_offsite(&shaoguan, &county("440203")));
        assert_eq!(
            registered_in(dongguan.as_str(), false),
            "广东省东莞市（441900）"
        );
        assert_eq!(registered_in(beijing.as_str(), true), "Beijing (110105)");
    }

    proptest! {
        /// Off-site is exactly "registered in another prefecture", whatever the county.
        #[test]
        fn offsite_means_another_prefecture(
            reg in "[1-6][0-9]{3}[0-9]{2}",
            site in prop::sample::select(vec!["440203", "440204", "440205", "440222", "440224", "440229", "440232", "440233", "440281", "440282"]),
            body in "[0-9A-HJ-NPQRTUWXY]{8}",
        ) {
            let u = Uscc::complete(&format!("91{reg}"), &body).expect("completes");
            prop_assert_eq!(is_offsite(&u, &county(site)), !reg.starts_with("4402"));
        }
    }
}
