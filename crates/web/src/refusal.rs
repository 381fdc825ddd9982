//! The one answer to a request the guard turned away (`auth::Rejection`): JSON under `/api/`,
//! elsewhere the login page, the password page or a page that says why. The guard only
//! decides; rendering pages is this module's, so the guard depends on no page.

use crate::auth::{Refusal, Rejection};
use crate::error::{api_lang, error_body};
use crate::format::urlencode;
use crate::i18n::Lang;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kechuang_domain::problem::Problem;

kechuang_domain::problems! {
    /// Why the guard turned a request away.
    enum Denied {
        Unauthorized = "unauthorized" {
            zh: "请先登录，或发送 API 令牌（Authorization: Bearer …）",
            en: "log in, or send an API token (Authorization: Bearer …)",
        },
        PasswordChangeRequired = "password_change_required" {
            zh: "请先修改初始密码（PUT /api/v1/me/password）",
            en: "change your first password first (PUT /api/v1/me/password)",
        },
        SecondFactorRequired = "second_factor_enrolment_required" {
            zh: "您的角色须使用二次验证：请先在 /account/second-factor 绑定验证器（POST /api/v1/me/second-factor）",
            en: "your role must use a second factor: enrol an authenticator first at /account/second-factor (POST /api/v1/me/second-factor)",
        },
        Forbidden = "forbidden" {
            zh: "您的角色无权使用此功能", en: "your role may not use this",
        },
        Csrf = "csrf" {
            zh: "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
            en: "missing or wrong CSRF token: reload the page and try again",
        },
    }
}

/// The one answer to a request the guard turned away: JSON under `/api/`, elsewhere the login
/// page, the password page or a page that says why.
impl IntoResponse for Box<Rejection> {
    fn into_response(self) -> Response {
        let api = self.uri.path().starts_with("/api/");
        let (status, denied) = match self.refusal {
            Refusal::Unauthorized => (StatusCode::UNAUTHORIZED, Denied::Unauthorized),
            Refusal::PasswordChangeRequired => {
                (StatusCode::FORBIDDEN, Denied::PasswordChangeRequired)
            }
            Refusal::SecondFactorRequired => (StatusCode::FORBIDDEN, Denied::SecondFactorRequired),
            Refusal::Forbidden => (StatusCode::FORBIDDEN, Denied::Forbidden),
            Refusal::Csrf => (StatusCode::FORBIDDEN, Denied::Csrf),
        };
        if api {
            let lang = api_lang(&self.headers);
            let body = error_body(denied.code(), &denied.message(lang), &[]);
            let mut res = (status, body).into_response();
            if self.refusal == Refusal::Unauthorized {
                res.headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            return res;
        }
        let lang = Lang::from_headers(&self.headers);
        match (self.refusal, self.caller) {
            (Refusal::Unauthorized, _) | (_, None) => {
                Redirect::to(&format!("/login?next={}", urlencode(&self.uri.to_string())))
                    .into_response()
            }
            (Refusal::PasswordChangeRequired, _) => {
                Redirect::to("/account/password").into_response()
            }
            (Refusal::SecondFactorRequired, _) => {
                Redirect::to("/account/second-factor").into_response()
            }
            (_, Some(caller)) => {
                crate::pages::forbidden_page(lang, caller, &denied.message(lang.into()))
            }
        }
    }
}
