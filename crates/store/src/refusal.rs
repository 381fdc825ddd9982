//! What the store tells its caller when a write cannot be made or a record is not there:
//! typed problems with stable codes, worded at the edge in the caller's language. A refusal
//! here is decided inside the write's transaction — a state another request may have changed
//! a moment before, a key the database keeps unique, a budget its CHECK keeps whole — so two
//! requests can never both pass it.

kechuang_domain::problems! {
    /// A record the caller named that does not exist. One code for all, `not_found`, with
    /// the kind of record and its key in the details.
    pub enum Absent {
        Plan { id: i64 } = "not_found" { zh: "未找到计划 {id}", en: "plan {id} not found" },
        Report { id: i64 } = "not_found" {
            zh: "未找到校验报告 {id}", en: "import report {id} not found",
        },
        Batch { id: i64 } = "not_found" { zh: "未找到批次 {id}", en: "batch {id} not found" },
        Return { region: String, period: String } = "not_found" {
            zh: "未找到 {region} {period} 的填报", en: "no return of {region} for {period}",
        },
        Programme { code: String } = "not_found" {
            zh: "未找到资金项目 {code}", en: "programme {code} not found",
        },
        ParentCity { code: String } = "not_found" {
            zh: "未找到上级城市 {code}", en: "parent city {code} not found",
        },
        User { username: String } = "not_found" {
            zh: "未找到用户 {username}", en: "user {username} not found",
        },
        Token { id: i64 } = "not_found" { zh: "未找到令牌 {id}", en: "token {id} not found" },
        Enterprise { uscc: String } = "not_found" {
            zh: "未找到企业 {uscc}", en: "enterprise {uscc} not found",
        },
        Platform { id: i64 } = "not_found" { zh: "未找到平台 {id}", en: "platform {id} not found" },
        Application { id: i64 } = "not_found" {
            zh: "未找到申报 {id}", en: "application {id} not found",
        },
        Call { id: i64 } = "not_found" {
            zh: "未找到申报指南 {id}", en: "call {id} not found",
        },
        File { slot: String } = "not_found" {
            zh: "未找到附件 {slot}", en: "attachment {slot} not found",
        },
        Notice { batch: i64 } = "not_found" {
            zh: "未找到批次 {batch} 的公示", en: "no notice of batch {batch}",
        },
        Award { id: i64 } = "not_found" {
            zh: "公示中没有奖补对象 {id}", en: "award {id} is not on the notice",
        },
        Objection { id: i64 } = "not_found" {
            zh: "未找到异议 {id}", en: "objection {id} not found",
        },
        Voucher { id: i64 } = "not_found" {
            zh: "未找到创新券 {id}", en: "voucher {id} not found",
        },
        Task { code: String } = "not_found" {
            zh: "未找到任务 {code}", en: "task {code} not found",
        },
        TaskFile { id: i64 } = "not_found" {
            zh: "未找到佐证材料 {id}", en: "evidence file {id} not found",
        },
        Reminder { id: i64 } = "not_found" {
            zh: "未找到督办通知 {id}", en: "reminder {id} not found",
        },
        Draft { id: i64 } = "not_found" {
            zh: "未找到计划草稿 {id}", en: "plan draft {id} not found",
        },
        Article { id: i64 } = "not_found" {
            zh: "未找到文章 {id}", en: "article {id} not found",
        },
        Event { id: i64 } = "not_found" {
            zh: "未找到活动 {id}", en: "event {id} not found",
        },
        Registration { id: i64 } = "not_found" {
            zh: "未找到报名 {id}", en: "registration {id} not found",
        },
        ArticleFile { id: i64 } = "not_found" {
            zh: "未找到附件 {id}", en: "attachment {id} not found",
        },
        Site { id: i64 } = "not_found" {
            zh: "未找到经营场所 {id}", en: "operating site {id} not found",
        },
        SiteFile { id: i64 } = "not_found" {
            zh: "未找到证明材料 {id}", en: "evidence file {id} not found",
        },
        Offering { id: i64 } = "not_found" {
            zh: "未找到服务 {id}", en: "service {id} not found",
        },
        ServiceRequest { id: i64 } = "not_found" {
            zh: "未找到服务申请 {id}", en: "service request {id} not found",
        },
        Instrument { id: i64 } = "not_found" {
            zh: "未找到仪器 {id}", en: "instrument {id} not found",
        },
        Booking { id: i64 } = "not_found" {
            zh: "未找到预约 {id}", en: "booking {id} not found",
        },
        Competition { id: i64 } = "not_found" {
            zh: "未找到大赛 {id}", en: "competition {id} not found",
        },
        Entry { id: i64 } = "not_found" {
            zh: "未找到参赛项目 {id}", en: "competition entry {id} not found",
        },
        Round { id: i64 } = "not_found" {
            zh: "未找到评审轮次 {id}", en: "round {id} not found",
        },
    }
}

kechuang_domain::problems! {
    /// A write refused by the record's state or by a key or limit the database keeps.
    pub enum Refusal {
        NotEnrolling = "not_enrolling" {
            zh: "没有待确认的二次验证密钥，或已启用：请刷新页面重新开始",
            en: "no second-factor secret awaits confirmation, or it is already on: reload to start again",
        },
        RegionCodeInUse { code: String, name: String } = "already_exists" {
            zh: "区划代码 {code} 已用于 {name}", en: "region code {code} is already {name}",
        },
        ArticleFileExists { name: String } = "already_exists" {
            zh: "已有同名附件 {name}", en: "an attachment named {name} exists already",
        },
        RegisteredInCity { uscc: String } = "site_registered_in_city" {
            zh: "企业 {uscc} 已在本市企业登记库中，无需登记异地经营场所",
            en: "enterprise {uscc} is in the city's registry; it needs no off-site registration",
        },
        UserExists { username: String } = "already_exists" {
            zh: "用户 {username} 已存在", en: "user {username} exists already",
        },
        DraftExists { code: String } = "already_exists" {
            zh: "已有代码为 {code} 的计划草稿", en: "a plan draft with code {code} exists already",
        },
        ProviderExists { uscc: String } = "already_exists" {
            zh: "服务机构 {uscc} 已登记", en: "provider {uscc} is registered already",
        },
        NothingDue = "nothing_due" {
            zh: "没有应奖补的对象，未创建批次", en: "nothing is due; no batch was created",
        },
        AlreadyAwarded { name: String, key: String } = "already_awarded" {
            zh: "{name} 的 {key} 已在其他批次中奖补，未创建批次",
            en: "{name} ({key}) is awarded in another batch already; nothing was written",
        },
        NoBudget { programme: String, year: i32 } = "no_budget" {
            zh: "{programme} 尚未设置 {year} 年预算，不能批准",
            en: "{programme} has no budget for {year}: set one first",
        },
        BudgetShort { year: i32, budget: String, committed: String, asked: String } = "budget_exceeded" {
            zh: "预算不足：{year} 年预算 {budget} 元，已批准 {committed} 元，本批次 {asked} 元",
            en: "the budget would be overspent: {year}'s budget is {budget} yuan, {committed} yuan is committed and this batch asks {asked} yuan",
        },
        BudgetBelowCommitted { programme: String, year: i32 } = "budget_below_committed" {
            zh: "{programme} {year} 年预算不能低于已批准的金额",
            en: "{programme}'s budget for {year} cannot be less than what is committed already",
        },
        NegativeBudget = "negative_budget" {
            zh: "预算不能为负", en: "a budget cannot be negative",
        },
        ChangedMeanwhile = "changed_meanwhile" {
            zh: "记录已被他人处理，请刷新后再试", en: "the record changed meanwhile: reload and try again",
        },
        InLedger = "already_in_ledger" {
            zh: "该批次已登记过，不能重复入账", en: "the batch is in the ledger already; nothing is committed twice",
        },
        PaidAlready { name: String, instalment: i64 } = "already_paid" {
            zh: "{name} 第 {instalment} 期已拨付，不能重复拨付",
            en: "instalment {instalment} of {name} is paid already; nothing is paid twice",
        },
        OverCommitted = "payment_exceeds_commitment" {
            zh: "拨付超过已批准金额", en: "the payment exceeds what was committed",
        },
        ReviewAction { action: String } = "entry_step_not_allowed" {
            zh: "“{action}”是审核操作", en: "'{action}' is a review step",
        },
        CountyAction { action: String } = "entry_step_not_allowed" {
            zh: "“{action}”由县（市、区）办理", en: "'{action}' is a county's step",
        },
        PeriodLocked { region: String, period: String } = "period_locked" {
            zh: "{region} {period} 的填报已审核锁定，需市科技局解锁后才能修改",
            en: "the return of {region} for {period} is approved and locked; the bureau must unlock it first",
        },
        ProviderName = "name_required" {
            zh: "请填写服务机构名称", en: "the provider's name is required",
        },
        ExpiryBeforeIssue = "expiry_before_issue" {
            zh: "有效期不能早于发放日期", en: "a voucher cannot expire before it is issued",
        },
        VoucherRedeemed = "voucher_redeemed" {
            zh: "该创新券已兑付，不能重复使用", en: "the voucher has been redeemed already",
        },
        TakesNoApplications { programme: String } = "programme_takes_no_applications" {
            zh: "{programme} 不受理申报", en: "{programme} takes no applications",
        },
        CallIncomplete = "call_incomplete" {
            zh: "请填写标题，截止日期不早于开始日期",
            en: "a call needs a title and a closing date not before its opening",
        },
        NotRegistered { uscc: String } = "enterprise_not_registered" {
            zh: "企业 {uscc} 尚未登记，请先联系县区科技部门登记",
            en: "enterprise {uscc} is not registered: ask the county's S&T office to register it",
        },
        ApplicationLocked { status: String } = "application_locked" {
            zh: "申报处于「{status}」，不能修改", en: "an application that is {status} can no longer be changed",
        },
        NoUploadNow { status: String } = "no_upload_now" {
            zh: "申报处于「{status}」，不能上传此附件", en: "an application that is {status} takes no such attachment",
        },
        NotAnExpert { username: String } = "not_an_expert" {
            zh: "{username} 不是专家账号，请先创建角色为 expert 的账号",
            en: "{username} is not an expert account: create one with the role expert first",
        },
        NotUnderReview { status: String } = "not_under_review" {
            zh: "申报处于「{status}」，不在专家评审阶段", en: "an application that is {status} is not under expert review",
        },
        NoneChosen = "none_chosen" {
            zh: "请选择拟立项的申报", en: "choose the applications to propose",
        },
        ProposedElsewhere { id: i64 } = "proposed_elsewhere" {
            zh: "申报 {id} 已在其他批次中", en: "application {id} is proposed in another batch already",
        },
        NoApprovedAward = "no_approved_award" {
            zh: "该申报没有已批准的资助", en: "the application has no approved award",
        },
        FirstInstalmentUnpaid = "first_instalment_unpaid" {
            zh: "首期资金尚未拨付，不能验收拨付尾款",
            en: "the first instalment is not paid yet, so the last cannot be",
        },
        ObjectionEmpty = "objection_empty" {
            zh: "请填写异议内容", en: "the objection is empty",
        },
        NoticeNotRunning = "notice_not_running" {
            zh: "该公示不在公示期内，不能提出异议", en: "the notice is not running, so it takes no objection",
        },
        SettlementEmpty = "reason_required" {
            zh: "请填写处理意见", en: "say how the objection was settled",
        },
        ObjectionsFromAddress { limit: i64 } = "objections_rate_limited" {
            zh: "同一来源每天最多提出 {limit} 条异议，请明天再提交或联系市科技局",
            en: "at most {limit} objections a day come from one address: try tomorrow or contact the bureau",
        },
        ObjectionsOnNotice { limit: i64 } = "notice_flooded" {
            zh: "该公示今天已收到 {limit} 条异议，暂停受理，请明天再提交或直接联系市科技局",
            en: "this notice has taken {limit} objections today and takes no more until tomorrow: contact the bureau directly",
        },
        ObjectionSettled = "objection_settled" {
            zh: "该异议已处理", en: "the objection is settled already",
        },
        AwardClosed = "award_closed" {
            zh: "该奖补已批准，不能再撤销", en: "the award is approved and can no longer be withdrawn",
        },
    }
}
