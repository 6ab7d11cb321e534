//! Under concurrent load, every command's log line carries its own request's contract id, and no
//! request is dropped. A span entered with `Span::enter` and held across `.await`s broke both:
//! log lines named other requests' contracts, and `tracing-subscriber` panicked on a span that
//! another task had closed (`tried to clone Id(…), but no span exists with that ID`).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use reqwest::StatusCode;
use suivi_e2e::app::{award_body, instalment_body, TestApp};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

/// For each "command done" line: the path of the HTTP request it ran in, and the contract id
/// of the command span it was logged in.
static SEEN: OnceLock<Mutex<Vec<(String, String)>>> = OnceLock::new();

fn seen() -> &'static Mutex<Vec<(String, String)>> {
    SEEN.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(CommandLines);
        tracing::subscriber::set_global_default(subscriber).expect("the only subscriber of this test binary");
        Mutex::new(Vec::new())
    })
}

/// A span's fields, as text.
struct Fields(HashMap<&'static str, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name(), value.to_owned());
    }
}

struct CommandLines;

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for CommandLines {
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, context: Context<'_, S>) {
        let mut fields = Fields(HashMap::new());
        attributes.record(&mut fields);
        if let Some(span) = context.span(id) {
            span.extensions_mut().insert(fields);
        }
    }

    fn on_event(&self, event: &Event<'_>, context: Context<'_, S>) {
        let mut message = Fields(HashMap::new());
        event.record(&mut message);
        if message.0.get("message").map(String::as_str) != Some("command done") {
            return;
        }
        let (mut path, mut contract) = (String::new(), String::new());
        for span in context.event_scope(event).into_iter().flatten() {
            let extensions = span.extensions();
            let Some(fields) = extensions.get::<Fields>() else { continue };
            match span.name() {
                "http" => path = fields.0.get("path").cloned().unwrap_or_default(),
                "command" if contract.is_empty() => contract = fields.0.get("contract_id").cloned().unwrap_or_default(),
                _ => {}
            }
        }
        if let Ok(mut seen) = seen().lock() {
            seen.push((path, contract));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_load_each_command_logs_its_own_contract_and_no_request_is_dropped() {
    seen();
    let app = TestApp::spawn().await;
    // Rounds of 8 contracts × 8 statements, all in flight together on a multi-threaded runtime.
    let (mut contracts, mut statuses) = (Vec::new(), Vec::new());
    for _round in 0..4 {
        let mut round = Vec::new();
        for _ in 0..8 {
            round.push(app.award(&award_body()).await);
        }
        let requests = round.iter().flat_map(|id| (1..=8u32).map(move |number| (id.clone(), number)));
        let sends = requests.map(|(id, number)| {
            let app = &app;
            async move {
                // Half an hour each: 256 statements for the same person stay under 230 h a month.
                let body = instalment_body(number, &format!("{}.00", 10_000 * number), &[("EMP-1", "0.5")]);
                app.post(&format!("/api/contracts/{id}/instalments"), &app.tokens.contractor, &body).await.status()
            }
        });
        statuses.extend(futures::future::join_all(sends).await);
        contracts.extend(round);
    }
    let lines = seen().lock().expect("not poisoned").clone();
    let ours: Vec<&(String, String)> =
        lines.iter().filter(|(path, _)| contracts.iter().any(|id| path.contains(id.as_str()))).collect();
    let accepted = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert!(ours.len() >= accepted && accepted >= 32, "{} lines for {accepted} accepted; all: {lines:?}", ours.len());
    for (path, contract) in ours {
        assert!(path.contains(contract.as_str()), "a line of {path} names contract {contract}");
    }
}
