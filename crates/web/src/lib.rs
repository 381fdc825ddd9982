//! The HTTP layer: a JSON API under `/api/v1`, server-rendered pages, embedded assets.
//!
//! Handlers stay thin — parse the request, call `service` (which reads the store and asks the
//! domain to compute), render — so every number on a page and in the API comes from one
//! computation.

mod api;
mod charts;
mod error;
mod format;
mod i18n;
mod pages;
mod service;

use axum::http::{header, HeaderValue};
use axum::Router;
use kechuang_store::Store;
use std::net::SocketAddr;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

/// The whole application: API, pages and assets, with security headers on every response.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .with_state(state)
        .layer(axum::middleware::map_response(security_headers))
}

/// Evaluates every target of a plan for a region at a date, exactly as the API does; for
/// benchmarks and tools that need the figures without HTTP. Returns how many were evaluated.
pub async fn evaluate_targets(
    store: &Store,
    plan_id: i64,
    region: Option<&str>,
    as_of: chrono::NaiveDate,
) -> Result<usize, String> {
    let loaded = service::Loaded::load(store, plan_id, as_of)
        .await
        .map_err(|e| e.to_string())?;
    let region = loaded.region(region).map_err(|e| e.to_string())?;
    Ok(loaded.evaluate_all(&region.code, as_of).len())
}

/// The OpenAPI document, also served at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("../openapi.json");

async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    // Pages need no script at all; styles and images come from this server only.
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish.
pub async fn serve(store: Store, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let addr: Option<SocketAddr> = listener.local_addr().ok();
    tracing::info!(?addr, "kechuang listening");
    axum::serve(listener, router(AppState { store }))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!("cannot listen for Ctrl-C: {e}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
