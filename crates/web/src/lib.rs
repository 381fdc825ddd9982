//! The HTTP layer: a JSON API under `/api/v1`, server-rendered pages, embedded assets.
//!
//! Handlers stay thin — parse the request, call `kechuang_service` (which reads the store and
//! asks the domain to decide), render — so every number on a page and in the API comes from one
//! computation.

mod api;
pub mod auth;
mod error;
mod openapi;
mod pages;
mod refusal;

// What pages show and how they read a request live in `kechuang-view`; named here as they
// were, so a handler writes `crate::i18n::Lang` wherever it sits.
pub use kechuang_view::map;
use kechuang_view::{audit, charts, format, i18n, markup};

use auth::Access;
use axum::handler::Handler;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::MethodRouter;
use axum::Router;
use kechuang_store::Store;
use std::net::SocketAddr;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Where sent files wait while they are imported (see `imports::prepare_spool`).
    pub spool: std::sync::Arc<std::path::Path>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: std::sync::Arc<[std::net::IpAddr]>,
    /// The server is reached at an https:// address: browsers are told to use nothing else.
    pub https: bool,
    /// Progress kept in memory while the records it came from are unchanged.
    pub progress: std::sync::Arc<kechuang_service::progress::ProgressCache>,
    /// County outlines for the maps, by city.
    pub maps: std::sync::Arc<map::Maps>,
    /// Large uploads being imported in the background, for their progress pages.
    pub(crate) imports: std::sync::Arc<pages::ImportJobs>,
    /// The menu's to-do counts, by user.
    pub(crate) todo_counts: std::sync::Arc<pages::TodoCounts>,
    /// The address users reach the server at, for absolute links (a share card, a feed).
    pub public_url: Option<std::sync::Arc<str>>,
    /// `/` shows the portal to visitors who are not logged in.
    pub portal_home: bool,
}

impl AppState {
    pub fn new(store: Store, spool: &std::path::Path) -> Self {
        Self {
            store,
            spool: spool.into(),
            trusted_proxies: std::sync::Arc::new([]),
            https: false,
            progress: std::sync::Arc::default(),
            maps: std::sync::Arc::new(map::Maps::shipped()),
            imports: std::sync::Arc::default(),
            todo_counts: std::sync::Arc::default(),
            public_url: None,
            portal_home: false,
        }
    }
    /// This state with its reads sent to a current streaming standby when the request is
    /// `public` (read-only work for visitors; see `Store::for_public_reads`), else as it is.
    pub async fn public_reads(self, public: bool) -> Self {
        if !public {
            return self;
        }
        Self {
            store: self.store.for_public_reads().await,
            ..self
        }
    }

    /// `/` shows the public portal to visitors who are not logged in.
    pub fn portal_home(mut self, on: bool) -> Self {
        self.portal_home = on;
        self
    }
    /// County outlines a deployment supplies (`*.json` in `dir`), over the shipped ones.
    pub fn map_dir(mut self, dir: &std::path::Path) -> Result<Self, String> {
        self.maps = std::sync::Arc::new(map::Maps::shipped().with_dir(dir)?);
        Ok(self)
    }
    /// The address users reach the server at; an https:// one turns on HSTS.
    pub fn public_url(mut self, url: Option<&str>) -> Self {
        self.https = url.is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("https://"));
        self.public_url = url
            .map(|u| u.trim().trim_end_matches('/'))
            .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
            .map(std::sync::Arc::from);
        self
    }

    /// Believes the `X-Forwarded-For` of these proxies.
    pub fn trusting(mut self, proxies: &[std::net::IpAddr]) -> Self {
        self.trusted_proxies = proxies.into();
        self
    }
}

/// Largest request body: an upload of a big provincial list fits; anything larger is refused
/// before it is read.
const BODY_LIMIT: usize = 64 << 20;

/// Largest login request: a username, a password and a CSRF token fit many times over.
pub(crate) const LOGIN_BODY_LIMIT: usize = 8 << 10;

/// A route with its access rule: the router is built only from these, so no route exists
/// without a rule, and the authorization matrix test lists them from [`route_table`].
pub(crate) struct Route {
    method: Method,
    path: &'static str,
    access: Access,
    handler: MethodRouter<AppState>,
}

macro_rules! route_ctor {
    ($name:ident, $method:ident, $routing:path) => {
        pub(crate) fn $name<H, T>(path: &'static str, access: Access, handler: H) -> Self
        where
            H: Handler<T, AppState>,
            T: 'static,
        {
            Self {
                method: Method::$method,
                path,
                access,
                handler: $routing(handler),
            }
        }
    };
}

impl Route {
    /// A smaller body limit than the application's, for routes that take a few fields only
    /// (logging in), so nothing large is read before the handler refuses it.
    pub(crate) fn body_limit(mut self, bytes: usize) -> Self {
        self.handler = self
            .handler
            .layer(axum::extract::DefaultBodyLimit::max(bytes));
        self
    }

    route_ctor!(get, GET, axum::routing::get);
    route_ctor!(post, POST, axum::routing::post);
    route_ctor!(put, PUT, axum::routing::put);
    route_ctor!(delete, DELETE, axum::routing::delete);
}

fn all_routes() -> Vec<Route> {
    let mut routes = api::routes();
    routes.extend(pages::routes());
    routes
}

/// Every route as (method, path, rule), in the order they are declared.
pub fn route_table() -> Vec<(Method, &'static str, Access)> {
    all_routes()
        .into_iter()
        .map(|r| (r.method, r.path, r.access))
        .collect()
}

/// The whole application: API, pages and assets. Every request is authenticated first;
/// every route then checks its own rule; every response gets the security headers.
pub fn router(state: AppState) -> Router {
    let https = state.https;
    let mut router = Router::new();
    for r in all_routes() {
        let access = r.access;
        router = router.route(
            r.path,
            r.handler.route_layer(axum::middleware::from_fn(
                move |req, next: axum::middleware::Next| async move {
                    match auth::guard(access, req).await {
                        Ok(req) => next.run(req).await,
                        Err(rejection) => rejection.into_response(),
                    }
                },
            )),
        );
    }
    router
        .fallback(pages::not_found)
        .with_state(state.clone())
        .layer(axum::middleware::from_fn_with_state(
            state,
            auth::authenticate,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(request_deadline))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(panicked))
        .layer(axum::middleware::from_fn(error::localize))
        .layer(axum::middleware::map_response(
            move |res: axum::response::Response| security_headers(res, https),
        ))
}

/// A handler that panicked (a bug: none is written to): logged with what it said, answered
/// 500 with nothing of it shown, so the client hears back and the server goes on.
fn panicked(cause: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    let said = cause
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| cause.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = %said, "a request handler panicked");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

async fn security_headers(
    mut res: axum::response::Response,
    https: bool,
) -> axum::response::Response {
    let h = res.headers_mut();
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
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

/// Connections served at once; more wait in the kernel's queue until one ends, so a crowd of
/// idle connections cannot take every file descriptor.
pub const MAX_CONNECTIONS: usize = 1024;
/// A client must send a request's headers within this, or its connection is closed: a
/// connection that trickles headers (slowloris) cannot hold a slot for long.
pub const HEADER_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// A request, its body included, must be answered within this, or it is cut off with 408: a
/// body sent a byte at a time cannot hold a handler for long.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// Serves until Ctrl-C or SIGTERM, then lets requests in flight finish. Each connection is
/// HTTP/1.1 with a deadline for its headers, and at most [`MAX_CONNECTIONS`] are served at
/// once (axum's own `serve` sets neither).
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let addr: Option<SocketAddr> = listener.local_addr().ok();
    tracing::info!(?addr, "kechuang listening");
    let app = router(state);
    let slots = std::sync::Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown_signal());
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.map_err(std::io::Error::other)?,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, do not spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let app = app.clone();
        let service =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut()
                    .insert(axum::extract::ConnectInfo(peer));
                tower::ServiceExt::oneshot(app.clone(), req.map(axum::body::Body::new))
            });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(HEADER_READ_TIMEOUT)
            .serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!("connection from {peer}: {e}");
            }
            drop(slot);
        });
    }
    // Requests in flight get a while to finish; then the process ends regardless.
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(std::time::Duration::from_secs(30)) => {
            tracing::warn!("connections still open after 30 s; stopping anyway");
        }
    }
    Ok(())
}

/// Cuts off a request not answered within [`REQUEST_TIMEOUT`], its body's reading included.
async fn request_deadline(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(res) => res,
        Err(_) => axum::http::StatusCode::REQUEST_TIMEOUT.into_response(),
    }
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
