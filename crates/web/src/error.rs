//! How the web answers an operation's error: the API as JSON with its stable machine code,
//! pages as an HTML page (`pages::PageError`), each with the HTTP status its kind maps to here
//! and nowhere else. A request the guard turned away is answered in `refusal`.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kechuang_domain::problem::{Lang as ProblemLang, Problem};

pub use kechuang_service::Error as AppError;

kechuang_domain::problems! {
    /// What is wrong with a request before any operation runs: its address, its form or its
    /// query. The operations' own problems are the service's.
    pub enum RequestProblem {
        UnknownImportKind { kind: String } = "unknown_import_kind" {
            zh: "没有导入类型 {kind}：应为 enterprises、certificates、platforms、facts、patents、observations、pool-members、loans、rd-survey、super-deduction 或 rd-training",
            en: "no import kind {kind}: enterprises, certificates, platforms, facts, patents, observations, pool-members, loans, rd-survey, super-deduction or rd-training",
        },
        CertificateKind { field: &'static str, raw: String } = "invalid_certificate_kind" {
            zh: "{field} '{raw}' 无效：应为 hte、hte_pool、tech_sme 或 hitech_product",
            en: "{field} '{raw}' is not one of hte, hte_pool, tech_sme, hitech_product",
        },
        PlatformLevel { raw: String } = "invalid_level" {
            zh: "level '{raw}' 无效：应为 city、provincial 或 national",
            en: "level '{raw}' is not one of city, provincial, national",
        },
        AmountType = "invalid_amount" {
            zh: "amount 应为以分计的非负整数，或如 \"30万元\" 的文字",
            en: "amount is a whole number of fen, or text such as \"30万元\"",
        },
        YearType = "invalid_year" { zh: "year 应为年度", en: "year is a year such as 2019" },
        LoginFormExpired = "login_form_expired" {
            zh: "登录表单已过期，请刷新页面后重试", en: "the login form expired: reload and try again",
        },
        Upload { reason: String } = "unreadable_upload" {
            zh: "无法读取上传的内容：{reason}", en: "cannot read the upload: {reason}",
        },
        ChooseProvider = "provider_required" {
            zh: "请选择服务机构", en: "choose a provider",
        },
        NotAnAward { raw: String } = "not_an_award" {
            zh: "'{raw}' 不是公示对象", en: "'{raw}' is not an award on notice",
        },
        OutOfRange { field: &'static str, raw: u32, min: u32, max: u32 } = "out_of_range" {
            zh: "{field} 应在 {min} 到 {max} 之间，而不是 {raw}",
            en: "{field} is between {min} and {max}, not {raw}",
        },
    }
}

kechuang_domain::problems! {
    /// Records a page or the API was asked for that do not exist, or that the caller may not see.
    pub enum Absent {
        Notice { id: i64 } = "notice_not_found" { zh: "未找到公示 {id}", en: "notice {id} not found" },
        Objection { id: i64 } = "objection_not_found" {
            zh: "未找到异议 {id}", en: "objection {id} not found",
        },
        Platform { id: i64 } = "platform_not_found" {
            zh: "未找到平台 {id}", en: "platform {id} not found",
        },
        Report { file: String } = "report_not_found" {
            zh: "未找到校验报告 {file}", en: "validation report {file} not found",
        },
        Template { file: String } = "template_not_found" {
            zh: "没有导入模板 {file}", en: "there is no import template {file}",
        },
        Download { name: String } = "download_not_found" {
            zh: "没有下载 {name}", en: "no download {name}",
        },
        Indicator { code: String } = "indicator_not_found" {
            zh: "没有指标 {code} 的数据", en: "no data for indicator {code}",
        },
    }
}

/// When a busy server asks to be tried again, in seconds.
pub const RETRY_AFTER_SECS: &str = "30";

/// The HTTP status of an operation's error.
pub trait HttpStatus {
    fn status(&self) -> StatusCode;
}

impl HttpStatus for AppError {
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            // The request was read and a rule refused it (400 is kept for a request the
            // framework cannot read as the document describes it: see `localize`).
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error answered as JSON:
/// `{"error": {"code": "not_found", "message": "…", "details": {…}}}`, the message in the
/// language of the request's `Accept-Language` (Chinese unless English is asked for). A
/// handler returns it without knowing the request; [`localize`] words it on the way out.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

/// An API error waiting for its wording, carried from the handler to [`localize`].
#[derive(Clone)]
struct Unworded(std::sync::Arc<AppError>);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut res = self.0.status().into_response();
        if matches!(self.0, AppError::Busy(_)) {
            res.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        res.extensions_mut()
            .insert(Unworded(std::sync::Arc::new(self.0)));
        res
    }
}

/// Every error answer of the API.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable snake_case code to branch on, e.g. `not_found`, `invalid_date`, `no_budget`,
    /// `unauthorized`, `password_change_required`, `second_factor_enrolment_required`, `forbidden`, `csrf`, `internal`.
    code: String,
    /// For a person, in the language of `Accept-Language` (Chinese unless English is asked for).
    message: String,
    /// The values the message names, by name (field, row, limit…).
    details: std::collections::BTreeMap<String, String>,
}

/// The language an API client asks for: the first tag of `Accept-Language`.
pub fn api_lang(headers: &axum::http::HeaderMap) -> ProblemLang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(ProblemLang::Zh, ProblemLang::from_tag)
}

/// The JSON body of an API error.
pub fn error_body(
    code: &str,
    message: &str,
    details: &[(&'static str, String)],
) -> Json<serde_json::Value> {
    let details: serde_json::Map<String, serde_json::Value> = details
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v.clone())))
        .collect();
    Json(serde_json::json!({
        "error": { "code": code, "message": message, "details": details }
    }))
}

/// Words every API error in the language the request asked for (one place, so a handler
/// cannot answer an error in the wrong language or without its code).
pub async fn localize(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let lang = api_lang(req.headers());
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if let Some(Unworded(e)) = res.extensions().get::<Unworded>().cloned() {
        let (mut parts, _) = res.into_parts();
        parts.headers.remove(header::CONTENT_TYPE);
        parts.headers.remove(header::CONTENT_LENGTH);
        let body = error_body(e.code(), &e.message(lang), &e.details());
        return (parts, body).into_response();
    }
    let plain_error = (res.status().is_client_error() || res.status().is_server_error())
        && !res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
    if !(api && plain_error) {
        return res;
    }
    // A request the framework refused before any handler ran (a path parameter that is not a
    // number, a body that is not the JSON asked for, a method the route does not take): the
    // same JSON error as every other, with the framework's reason as its detail.
    let (mut parts, body) = res.into_parts();
    // A page's own error (an unknown /api/ path reaches the pages' not-found) has no reason
    // worth quoting: an API client gets the code and message, never a page of HTML.
    let html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let reason = if html {
        String::new()
    } else {
        axum::body::to_bytes(body, 4096)
            .await
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let p = Unaccepted::from_status(parts.status, reason);
    // Malformed input is a 400 however the framework found it out (a body that does not
    // parse as the JSON asked for, or that lacks its content type).
    if matches!(
        p,
        Unaccepted::Malformed { .. } | Unaccepted::MediaType { .. }
    ) {
        parts.status = StatusCode::BAD_REQUEST;
    }
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    (parts, error_body(p.code(), &p.message(lang), &p.details())).into_response()
}

kechuang_domain::problems! {
    /// Requests the framework turns away before a handler runs.
    enum Unaccepted {
        Malformed { reason: String } = "invalid_request" {
            zh: "请求无效：{reason}", en: "invalid request: {reason}",
        },
        NoRoute { reason: String } = "not_found" {
            zh: "没有这个接口", en: "no such endpoint",
        },
        Method { reason: String } = "method_not_allowed" {
            zh: "该接口不接受此方法", en: "this endpoint does not take this method",
        },
        TooLarge { reason: String } = "too_large" {
            zh: "请求内容过大", en: "the request body is too large",
        },
        MediaType { reason: String } = "unsupported_media_type" {
            zh: "请求内容类型不受支持：{reason}", en: "unsupported content type: {reason}",
        },
        /// A handler that panicked (`panicked` in lib.rs): nothing of it is shown.
        Internal = "internal" {
            zh: "服务器内部错误，已记入日志", en: "internal error; it has been logged",
        },
        Other { reason: String } = "http_error" {
            zh: "请求失败：{reason}", en: "request failed: {reason}",
        },
    }
}

impl Unaccepted {
    fn from_status(status: StatusCode, reason: String) -> Self {
        match status {
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
                Self::Malformed { reason }
            }
            StatusCode::NOT_FOUND => Self::NoRoute { reason },
            StatusCode::METHOD_NOT_ALLOWED => Self::Method { reason },
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge { reason },
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::MediaType { reason },
            StatusCode::INTERNAL_SERVER_ERROR => Self::Internal,
            _ => Self::Other { reason },
        }
    }
}

kechuang_domain::problems! {
    enum Refused {
        Fields = "invalid_fields" {
            zh: "有字段未通过检查，均未保存", en: "some fields are not valid; nothing was saved",
        },
        /// An application's draft keeps what passed its check.
        FieldsKept = "invalid_fields" {
            zh: "有字段未通过检查；其余内容已保存为草稿", en: "some fields are not valid; the rest was saved as a draft",
        },
    }
}

/// Problems by field, answered 422 with nothing saved: `details` maps each field (a form
/// field, an attachment slot, a rubric criterion, an indicator) to what is wrong with it.
pub fn refused_fields(
    headers: &axum::http::HeaderMap,
    problems: Vec<kechuang_domain::problem::FieldProblem>,
) -> Response {
    by_field(headers, Refused::Fields, problems)
}

/// Problems by field, answered 422, where the valid fields were kept (an application's draft).
pub fn refused_fields_kept(
    headers: &axum::http::HeaderMap,
    problems: Vec<kechuang_domain::problem::FieldProblem>,
) -> Response {
    by_field(headers, Refused::FieldsKept, problems)
}

fn by_field(
    headers: &axum::http::HeaderMap,
    p: Refused,
    problems: Vec<kechuang_domain::problem::FieldProblem>,
) -> Response {
    let lang = api_lang(headers);
    let mut body = error_body(p.code(), &p.message(lang), &[]);
    if let Some(d) = body.0["error"]["details"].as_object_mut() {
        for problem in problems {
            d.insert(
                problem.field.clone(),
                serde_json::Value::String(problem.message(lang)),
            );
        }
    }
    (StatusCode::UNPROCESSABLE_ENTITY, body).into_response()
}
