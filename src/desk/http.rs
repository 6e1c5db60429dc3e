//! The desk's HTTP API and its guards (docs/json.md, "Desk API"; docs/safety.md,
//! "The desk server").
//!
//! Owns: the routes, the checks every request passes (Host, Origin, the
//! per-launch secret), the response headers (a strict Content-Security-
//! Policy, no CORS, no caching), and the event stream. Must not: word
//! anything (`page`), change a panel except through `state::Desk`, or serve
//! anything the binary does not carry (no external resource of any kind).

use super::page::{index_html, panel_doc, service_doc};
use super::state::{AnswerRefused, AnswerRequest, Desk, Note, SCHEMA_VERSION};
use crate::advice::{advise, AdviceInput, Facts};
use crate::lang::Lang;
use crate::site::Site;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::stream::{self, Stream, StreamExt};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::{broadcast, watch};

/// What every request handler shares.
#[derive(Clone)]
pub(super) struct Shared {
    pub(super) desk: Arc<Mutex<Desk>>,
    pub(super) notes: broadcast::Sender<Note>,
    pub(super) secret: String,
    pub(super) port: u16,
    pub(super) listen: IpAddr,
    pub(super) lang: Lang,
    pub(super) site: Option<Site>,
    pub(super) clock: Arc<dyn Fn() -> OffsetDateTime + Send + Sync>,
}

/// The header that carries the secret on API calls (`?k=` works too, for
/// the event stream and the slip, which a browser fetches without headers).
pub const SECRET_HEADER: &str = "x-jpki-desk-key";

/// The page's policy: only this server's own script, style and frames; no
/// inline script, no external anything.
const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// The slip's policy: its own inline style (it is one self-contained file,
/// as `--slip` writes it), no script at all, framed only by the page.
const SLIP_CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/// Serves until `stop` turns true.
pub(super) async fn serve(
    listener: tokio::net::TcpListener,
    shared: Shared,
    mut stop: watch::Receiver<bool>,
) -> std::io::Result<()> {
    let stream_stop = stop.clone();
    let app = Router::new()
        .route("/", get(index))
        .route(
            "/assets/desk.js",
            get(|| {
                asset(
                    "text/javascript; charset=utf-8",
                    include_str!("assets/desk.js").to_string(),
                )
            }),
        )
        .route(
            "/assets/desk.css",
            get(|| {
                asset(
                    "text/css; charset=utf-8",
                    include_str!("assets/desk.css").to_string(),
                )
            }),
        )
        .route(
            "/assets/slip.css",
            get(|| asset("text/css; charset=utf-8", crate::slip::screen_css())),
        )
        .route("/api/events", get(events))
        .route("/api/panels", get(panels))
        .route("/api/answer", post(answer))
        .route("/slip", get(slip))
        .fallback(|| async { refuse(StatusCode::NOT_FOUND, "not_found", "no such page") })
        .method_not_allowed_fallback(|| async {
            refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method (docs/json.md)",
            )
        })
        .layer(axum::middleware::from_fn_with_state(shared.clone(), guard))
        .with_state((shared, stream_stop));
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await
}

type AppState = (Shared, watch::Receiver<bool>);

/// An error body (docs/json.md, `desk-error.schema.json`).
#[derive(Serialize)]
struct ErrorDoc {
    schema_version: u32,
    error: ErrorBody,
}

#[derive(Serialize)]
struct ErrorBody {
    code: &'static str,
    message: &'static str,
}

fn refuse(status: StatusCode, code: &'static str, message: &'static str) -> Response {
    (
        status,
        Json(ErrorDoc {
            schema_version: SCHEMA_VERSION,
            error: ErrorBody { code, message },
        }),
    )
        .into_response()
}

/// The checks every request passes, and the headers every response
/// carries.
async fn guard(State(shared): State<Shared>, request: Request, next: Next) -> Response {
    if let Some(refusal) = check(&shared, request.headers(), request.uri()) {
        return with_headers(refusal, PAGE_CSP);
    }
    let csp = if request.uri().path() == "/slip" {
        SLIP_CSP
    } else {
        PAGE_CSP
    };
    with_headers(next.run(request).await, csp)
}

/// Why a request is refused, if it is: a Host that is not this server by
/// its loopback name (DNS rebinding), an Origin that is not this page
/// (another site in the same browser), a cross-site fetch, or a missing or
/// wrong secret (another local user, another page). The page's assets need
/// no secret: they carry nothing about anyone.
fn check(shared: &Shared, headers: &HeaderMap, uri: &axum::http::Uri) -> Option<Response> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !host_allowed(host, shared.port, shared.listen) {
        return Some(refuse(
            StatusCode::MISDIRECTED_REQUEST,
            "foreign_host",
            "this server answers only to its own loopback address and port",
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| host_allowed(o, shared.port, shared.listen));
        if !ok {
            return Some(refuse(
                StatusCode::FORBIDDEN,
                "foreign_origin",
                "requests from other sites are refused",
            ));
        }
    }
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| s == "cross-site")
    {
        return Some(refuse(
            StatusCode::FORBIDDEN,
            "foreign_origin",
            "requests from other sites are refused",
        ));
    }
    if uri.path().starts_with("/assets/") {
        return None;
    }
    let given = headers
        .get(SECRET_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| secret_in_query(uri));
    match given {
        None => Some(refuse(
            StatusCode::UNAUTHORIZED,
            "secret_missing",
            "open the full URL that jpki-status desk printed (it carries the secret)",
        )),
        Some(k) if !same_secret(&k, &shared.secret) => Some(refuse(
            StatusCode::FORBIDDEN,
            "secret_wrong",
            "this is not the secret of this desk server; open the URL it printed",
        )),
        Some(_) => None,
    }
}

/// The secret given as `?k=` (percent-decoded).
fn secret_in_query(uri: &axum::http::Uri) -> Option<String> {
    #[derive(Deserialize)]
    struct K {
        k: Option<String>,
    }
    Query::<K>::try_from_uri(uri).ok().and_then(|q| q.0.k)
}

/// Compares in time independent of where the two differ.
fn same_secret(given: &str, secret: &str) -> bool {
    let (a, b) = (given.as_bytes(), secret.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Whether `host` (a Host header or an Origin without its scheme) names
/// this server: a loopback name or address with our port, or the address
/// it was told to listen on.
pub(super) fn host_allowed(host: &str, port: u16, listen: IpAddr) -> bool {
    let Some((name, p)) = host.rsplit_once(':') else {
        return false;
    };
    if p.parse::<u16>().ok() != Some(port) {
        return false;
    }
    let name = name.trim_start_matches('[').trim_end_matches(']');
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        // Listening beyond loopback (`--listen`), an address typed as a
        // number is this computer as the network reaches it; DNS rebinding
        // needs a name, and names other than localhost stay refused.
        Ok(ip) => {
            ip.is_loopback() || (!listen.is_loopback() && (listen.is_unspecified() || ip == listen))
        }
        Err(_) => false,
    }
}

fn with_headers(mut r: Response, csp: &'static str) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    r
}

async fn asset(kind: &'static str, body: String) -> Response {
    ([(header::CONTENT_TYPE, kind)], body).into_response()
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<Lang>,
}

impl LangQuery {
    fn pick(&self, shared: &Shared) -> Lang {
        self.lang.unwrap_or(shared.lang)
    }
}

async fn index(State((shared, _)): State<AppState>, Query(q): Query<LangQuery>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        index_html(q.pick(&shared)),
    )
        .into_response()
}

/// `GET /api/panels`: every panel and the service state now.
#[derive(Serialize)]
struct PanelsDoc {
    schema_version: u32,
    service: super::state::ServiceDoc,
    panels: Vec<super::state::PanelDoc>,
}

fn snapshot(shared: &Shared, lang: Lang) -> Option<PanelsDoc> {
    let desk = shared.desk.lock().ok()?;
    let now = (shared.clock)();
    Some(PanelsDoc {
        schema_version: SCHEMA_VERSION,
        service: service_doc(&desk, lang),
        panels: desk
            .panels
            .iter()
            .map(|p| panel_doc(&desk, &p.reader, shared.site.as_ref(), now, lang))
            .collect(),
    })
}

async fn panels(State((shared, _)): State<AppState>, Query(q): Query<LangQuery>) -> Response {
    match snapshot(&shared, q.pick(&shared)) {
        Some(doc) => Json(doc).into_response(),
        None => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the desk state is unusable",
        ),
    }
}

/// `POST /api/answer`: the holder's answer; the panel with the advice
/// recomputed comes back (and goes to every open page).
async fn answer(
    State((shared, _)): State<AppState>,
    Query(q): Query<LangQuery>,
    body: Result<Json<AnswerRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let Ok(Json(req)) = body else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "bad_answer",
            "the body must be {\"reader\", \"question\", \"answer\"} (docs/json.md)",
        );
    };
    let lang = q.pick(&shared);
    let now = (shared.clock)();
    let Ok(mut desk) = shared.desk.lock() else {
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the desk state is unusable",
        );
    };
    match desk.answer(&req.reader, req.question, req.answer, now) {
        Ok((_, note)) => {
            let doc = panel_doc(&desk, &req.reader, shared.site.as_ref(), now, lang);
            drop(desk);
            let _ = shared.notes.send(note);
            Json(doc).into_response()
        }
        Err(AnswerRefused::NoCard) => refuse(
            StatusCode::CONFLICT,
            "no_card",
            "no card has been read on that reader (it may have been removed)",
        ),
        Err(AnswerRefused::NotAChoice) => refuse(
            StatusCode::BAD_REQUEST,
            "bad_answer",
            "that answer is not one this question takes",
        ),
        Err(AnswerRefused::NotOpen) => refuse(
            StatusCode::CONFLICT,
            "question_not_open",
            "that question's answer would not change this card's advice (or it is already decided)",
        ),
    }
}

#[derive(Deserialize)]
struct SlipQuery {
    reader: String,
    lang: Option<Lang>,
}

/// `GET /slip?reader=`: the slip for the card on that reader with the
/// answers given, exactly as `--slip` writes it.
async fn slip(State((shared, _)): State<AppState>, Query(q): Query<SlipQuery>) -> Response {
    let lang = q.lang.unwrap_or(shared.lang);
    let now = (shared.clock)();
    let Ok(desk) = shared.desk.lock() else {
        return refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the desk state is unusable",
        );
    };
    let holder = desk
        .panels
        .iter()
        .find(|p| p.reader == q.reader)
        .and_then(|p| match &p.state {
            super::state::PanelState::Report(h) => Some(h.clone()),
            _ => None,
        });
    drop(desk);
    match holder {
        Some(h) => {
            let advice = h.advice(now, lang);
            let html =
                crate::slip::render_slip(Some(&h.report), &advice, shared.site.as_ref(), lang, now);
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        None => refuse(
            StatusCode::CONFLICT,
            "no_card",
            "no card has been read on that reader",
        ),
    }
}

/// `GET /api/events`: the event stream (server-sent events). First a
/// `reset` with the readers, the `service` state and every `panel`; then,
/// as things happen, each watch-mode document as a `watch` event and the
/// changed `panel` (or `service`).
async fn events(
    State((shared, stop)): State<AppState>,
    Query(q): Query<LangQuery>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let lang = q.pick(&shared);
    let rx = shared.notes.subscribe();
    let first = stream::iter(everything(&shared, lang));
    let rest = stream::unfold(
        (rx, stop, shared, lang),
        |(mut rx, mut stop, shared, lang)| async move {
            if *stop.borrow() {
                return None;
            }
            let batch = tokio::select! {
                r = rx.recv() => match r {
                    Ok(note) => for_note(&shared, &note, lang),
                    Err(broadcast::error::RecvError::Lagged(_)) => everything(&shared, lang),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = stop.wait_for(|s| *s) => return None,
            };
            Some((stream::iter(batch), (rx, stop, shared, lang)))
        },
    )
    .flatten();
    Sse::new(first.chain(rest)).keep_alive(KeepAlive::new().interval(Duration::from_secs(30)))
}

fn json_event(name: &str, value: &impl Serialize) -> Result<Event, Infallible> {
    Ok(Event::default()
        .event(name)
        .data(serde_json::to_string(value).unwrap_or_else(|_| "{}".into())))
}

/// The whole state: `reset`, `service`, one `panel` per reader.
fn everything(shared: &Shared, lang: Lang) -> Vec<Result<Event, Infallible>> {
    let Some(doc) = snapshot(shared, lang) else {
        return Vec::new();
    };
    #[derive(Serialize)]
    struct Reset {
        schema_version: u32,
        readers: Vec<String>,
    }
    // `retry`: a page that lost the server tries again every 2 s.
    let mut out = vec![json_event(
        "reset",
        &Reset {
            schema_version: SCHEMA_VERSION,
            readers: doc.panels.iter().map(|p| p.reader.clone()).collect(),
        },
    )
    .map(|e| e.retry(Duration::from_secs(2)))];
    out.push(json_event("service", &doc.service));
    out.extend(doc.panels.iter().map(|p| json_event("panel", p)));
    out
}

/// What one note sends: the watch-mode document, then the changed panel or
/// the service state.
fn for_note(shared: &Shared, note: &Note, lang: Lang) -> Vec<Result<Event, Infallible>> {
    let mut out = Vec::new();
    if let Some(event) = &note.event {
        let advice = match event.as_ref() {
            crate::watch::WatchEvent::Report { report, .. } => Some(
                advise(
                    &AdviceInput::from_report(report, Facts::default()),
                    note.time,
                )
                .localized(lang),
            ),
            _ => None,
        };
        let mut line = Vec::new();
        let time = crate::probe::format_rfc3339(crate::japan_time::in_japan(note.time));
        if crate::present::watch_events::write_event_json(
            &mut line,
            event,
            note.seq,
            time,
            advice.as_ref(),
            None,
            lang,
        )
        .is_ok()
        {
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            out.push(Ok(Event::default().event("watch").data(text)));
        }
    }
    let Ok(desk) = shared.desk.lock() else {
        return out;
    };
    let now = (shared.clock)();
    match &note.reader {
        Some(r) => out.push(json_event(
            "panel",
            &panel_doc(&desk, r, shared.site.as_ref(), now, lang),
        )),
        None => out.push(json_event("service", &service_doc(&desk, lang))),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_our_port_are_this_server() {
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "LOCALHOST:8080",
            "127.0.0.2:8080",
        ] {
            assert!(host_allowed(ok, 8080, lo), "{ok}");
        }
        for bad in [
            "127.0.0.1:8081",
            "evil.example:8080",
            "127.0.0.1.evil.example:8080",
            "127.0.0.1",
            "",
            "192.168.1.2:8080",
            "localhost.:8080",
        ] {
            assert!(!host_allowed(bad, 8080, lo), "{bad}");
        }
        let lan: IpAddr = "192.168.1.2".parse().unwrap();
        assert!(host_allowed("192.168.1.2:8080", 8080, lan));
        assert!(!host_allowed("192.168.1.3:8080", 8080, lan));
        assert!(!host_allowed("desk.example:8080", 8080, lan));
        // Every address: any address typed as a number, never a name.
        let any: IpAddr = "0.0.0.0".parse().unwrap();
        assert!(host_allowed("192.168.1.3:8080", 8080, any));
        assert!(host_allowed("127.0.0.1:8080", 8080, any));
        assert!(!host_allowed("desk.example:8080", 8080, any));
        assert!(!host_allowed("192.168.1.3:8081", 8080, any));
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abd", "abc"));
        assert!(!same_secret("ab", "abc"));
        assert!(!same_secret("", "abc"));
    }
}
