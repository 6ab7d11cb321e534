//! Finance's messages in: each message on `<prefix>.<tenant>.fin.<message_type>` is checked
//! against its JSON Schema, turned into a command, and run by the same application as an HTTP
//! request, as finance of that tenant.
//!
//! Once, even if sent twice: finance's `Nats-Msg-Id` is the command's idempotency key, kept with
//! the events it appended, so a message sent again after JetStream's duplicate window (two
//! minutes) gets the first answer instead of a second payment. The same id with another body is
//! refused (`message_id_reused`).
//!
//! Nothing is dropped silently: a message Suivi cannot take gets a rejection, with the reason
//! and the field at fault, on `<prefix>.<tenant>.fin.rejected.<message_type>`, which the
//! dead-letter stream keeps. A message is acknowledged only once it was taken or its rejection
//! stored; when the database is unavailable it is redelivered later instead.

use std::sync::Arc;
use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use futures::StreamExt as _;
use sha2::{Digest as _, Sha256};
use suivi_application::{
    business_today, Application, ApplicationError, CommandRequest, Expected, Idempotency, Principal, Role,
};
use suivi_domain::{Command, Lang};
use suivi_proto::events::{AdvancePaidV1, InstalmentPaidV1};
use suivi_proto::messages::{
    FinanceMessage, FinanceRejection, PaidItem, REJECTION_SCHEMA_VERSION, SCHEMA_VERSION_HEADER,
};
use suivi_proto::{Subjects, TenantId, FINANCE_MESSAGE_TYPES};
use tokio::sync::watch;
use uuid::Uuid;

use crate::schemas::{field_at_fault, MessageSchemas};
use crate::{streams, FinanceError};

/// The actor recorded on the events finance's messages cause.
pub const FINANCE_ACTOR: &str = "nats-finance";

/// How long a message waits before it is tried again when the database was unavailable.
const RETRY_DELAY: Duration = Duration::from_secs(5);

/// What became of one message.
#[derive(Debug)]
enum Disposition {
    /// Recorded (or answered as the retry of a message already recorded).
    Taken,
    Rejected(Box<FinanceRejection>),
    /// Not decided: try again later (database unavailable, a concurrent command won a race).
    Retry(String),
}

pub struct Inbound {
    app: Arc<Application>,
    js: jetstream::Context,
    subjects: Subjects,
    settings: streams::StreamSettings,
    schemas: MessageSchemas,
}

impl Inbound {
    pub fn new(
        app: Arc<Application>,
        js: jetstream::Context,
        subjects: Subjects,
        settings: streams::StreamSettings,
    ) -> Self {
        Inbound { app, js, subjects, settings, schemas: MessageSchemas::new() }
    }

    /// Takes finance's messages until `shutdown` turns true, starting again after any failure.
    pub async fn run(&self, shutdown: watch::Receiver<bool>) {
        crate::restarting("finance inbound", Duration::from_secs(1), shutdown, |_| self.run_once()).await;
    }

    async fn run_once(&self) -> Result<(), FinanceError> {
        let stream = streams::ensure_inbound(&self.js, &self.subjects, self.settings).await?;
        streams::ensure_dead_letters(&self.js, &self.subjects, self.settings).await?;
        let consumer = streams::inbound_consumer(&stream).await?;
        let mut messages =
            consumer.messages().await.map_err(|e| FinanceError::Nats(format!("pulling finance messages: {e}")))?;
        tracing::info!(stream = %self.subjects.finance_inbound_stream_name(), "taking finance messages");
        while let Some(message) = messages.next().await {
            let message = message.map_err(|e| FinanceError::Nats(format!("pulling finance messages: {e}")))?;
            self.handle(message).await?;
        }
        Err(FinanceError::Nats("the finance consumer stopped delivering".to_owned()))
    }

    async fn handle(&self, message: jetstream::Message) -> Result<(), FinanceError> {
        let ack_failed = |e: async_nats::Error| FinanceError::Nats(format!("acknowledging a finance message: {e}"));
        match self.take(&message.message).await {
            Disposition::Taken => {
                metrics::counter!("suivi_finance_messages_total", "outcome" => "taken").increment(1);
                message.double_ack().await.map_err(ack_failed)
            }
            Disposition::Rejected(rejection) => {
                let sequence = message.info().map(|info| info.stream_sequence).unwrap_or_default();
                self.publish_rejection(&rejection, sequence).await?;
                tracing::info!(
                    code = %rejection.code,
                    subject = %rejection.subject,
                    message_id = rejection.message_id.as_deref().unwrap_or(""),
                    "finance message rejected"
                );
                metrics::counter!("suivi_finance_messages_total", "outcome" => "rejected").increment(1);
                message.double_ack().await.map_err(ack_failed)
            }
            Disposition::Retry(why) => {
                tracing::warn!(subject = %message.subject, "finance message not decided, retried later: {why}");
                metrics::counter!("suivi_finance_messages_total", "outcome" => "retried").increment(1);
                message.ack_with(AckKind::Nak(Some(RETRY_DELAY))).await.map_err(ack_failed)
            }
        }
    }

    /// Publishes a rejection into the dead-letter stream and waits until it is stored. The
    /// inbound sequence is its `Nats-Msg-Id`: a redelivered message is not rejected twice.
    async fn publish_rejection(&self, rejection: &FinanceRejection, sequence: u64) -> Result<(), FinanceError> {
        let tenant_and_type = rejection.subject.strip_prefix(&format!("{}.", self.subjects.prefix())).unwrap_or("");
        let tenant = tenant_and_type.split('.').next().unwrap_or("");
        let subject = format!("{}.{tenant}.fin.rejected.{}", self.subjects.prefix(), rejection.message_type);
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", format!("rejection-{sequence}").as_str());
        headers.insert(SCHEMA_VERSION_HEADER, REJECTION_SCHEMA_VERSION.to_string().as_str());
        let body =
            serde_json::to_vec(rejection).map_err(|e| FinanceError::Nats(format!("encoding a rejection: {e}")))?;
        self.js
            .publish_with_headers(subject, headers, body.into())
            .await
            .map_err(|e| FinanceError::Nats(format!("publishing a rejection: {e}")))?
            .await
            .map_err(|e| FinanceError::Nats(format!("storing a rejection: {e}")))?;
        Ok(())
    }

    async fn take(&self, message: &async_nats::Message) -> Disposition {
        let received = Received::of(message, &self.subjects);
        let (tenant, message_type) = match received.route() {
            Ok(route) => route,
            Err(rejection) => return rejection,
        };
        let Some(message_id) = received.message_id.clone() else {
            return received.reject(
                "missing_message_id",
                None,
                "the message has no Nats-Msg-Id header: finance's unique id of the message is required",
                "le message n'a pas d'en-tête Nats-Msg-Id : l'identifiant unique du message est obligatoire",
            );
        };
        let decoded = match self.read(&received, &message_type, message) {
            Ok(decoded) => decoded,
            Err(rejection) => return rejection,
        };
        let (contract_id, command) = command_of(decoded);
        let digest = Sha256::new().chain_update(message.subject.as_bytes()).chain_update(&message.payload).finalize();
        let principal = Principal::new(FINANCE_ACTOR, Role::Finance, tenant.clone(), None);
        let request = CommandRequest {
            principal: &principal,
            contract_id,
            expected: Expected::Any,
            idempotency: Some(Idempotency { key: &message_id, request_digest: &digest }),
            command,
            today: business_today(),
            correlation_id: Uuid::now_v7(),
        };
        match self.app.execute(request).await {
            Ok(_) => Disposition::Taken,
            Err(error) => received.refused(error, contract_id, &tenant),
        }
    }

    /// The message's schema version, JSON, schema and decoding checked, in that order.
    fn read(
        &self,
        received: &Received,
        message_type: &str,
        message: &async_nats::Message,
    ) -> Result<FinanceMessage, Disposition> {
        let version_header = message.headers.as_ref().and_then(|h| h.get(SCHEMA_VERSION_HEADER));
        let schema_version = match version_header.map(|v| v.as_str().trim().parse::<u16>()) {
            None => 1,
            Some(Ok(version)) => version,
            Some(Err(_)) => {
                return Err(received.reject(
                    "invalid_schema_version",
                    None,
                    "the Suivi-Schema-Version header is not a version number",
                    "l'en-tête Suivi-Schema-Version n'est pas un numéro de version",
                ))
            }
        };
        let json: serde_json::Value = serde_json::from_slice(&message.payload).map_err(|e| {
            received.reject(
                "not_json",
                None,
                &format!("the body is not JSON: {e}"),
                &format!("le corps du message n'est pas du JSON : {e}"),
            )
        })?;
        let Some(schema) = self.schemas.get(message_type, schema_version) else {
            return Err(received.reject(
                "unsupported_schema_version",
                None,
                &format!("{message_type} has no schema version {schema_version}"),
                &format!("{message_type} n'a pas de version de schéma {schema_version}"),
            ));
        };
        if let Some(error) = schema.iter_errors(&json).next() {
            let field = field_at_fault(&error);
            let at = field.as_deref().unwrap_or("the message");
            let at_fr = field.as_deref().unwrap_or("le message");
            return Err(received.reject(
                "invalid_message",
                field.as_deref(),
                &format!("{at}: {error}"),
                &format!("{at_fr} ne respecte pas le schéma : {error}"),
            ));
        }
        FinanceMessage::decode(message_type, schema_version, &json)
            .map_err(|e| received.reject("invalid_message", None, &e.to_string(), &format!("message illisible : {e}")))
    }
}

/// A message as received: what a rejection quotes.
struct Received {
    subject: String,
    prefix: String,
    message_id: Option<String>,
    payload: String,
    message_type: String,
}

impl Received {
    fn of(message: &async_nats::Message, subjects: &Subjects) -> Self {
        let message_id = message
            .headers
            .as_ref()
            .and_then(|h| h.get("Nats-Msg-Id"))
            .map(|v| v.as_str().to_owned())
            .filter(|id| !id.trim().is_empty());
        let subject = message.subject.to_string();
        Received {
            message_type: subject.rsplit('.').next().unwrap_or("").to_owned(),
            subject,
            prefix: subjects.prefix().to_owned(),
            message_id,
            payload: String::from_utf8_lossy(&message.payload).into_owned(),
        }
    }

    /// `<prefix>.<tenant>.fin.<message_type>` → the tenant and a known message type.
    fn route(&self) -> Result<(TenantId, String), Disposition> {
        let rest = self.subject.strip_prefix(&format!("{}.", self.prefix)).unwrap_or("");
        let tokens: Vec<&str> = rest.split('.').collect();
        let [tenant, "fin", message_type] = tokens.as_slice() else {
            return Err(self.reject(
                "invalid_subject",
                None,
                "finance messages go to <prefix>.<tenant>.fin.<message_type>",
                "les messages des finances vont sur <préfixe>.<tenant>.fin.<type de message>",
            ));
        };
        let Ok(tenant) = TenantId::parse(tenant) else {
            return Err(self.reject(
                "invalid_subject",
                None,
                &format!("{tenant:?} is not a tenant id"),
                &format!("{tenant:?} n'est pas un identifiant de tenant"),
            ));
        };
        if !FINANCE_MESSAGE_TYPES.contains(message_type) {
            return Err(self.reject(
                "unknown_message_type",
                None,
                &format!("{message_type} is not a finance message type (known: {})", FINANCE_MESSAGE_TYPES.join(", ")),
                &format!(
                    "{message_type} n'est pas un type de message des finances ({})",
                    FINANCE_MESSAGE_TYPES.join(", ")
                ),
            ));
        }
        Ok((tenant, (*message_type).to_owned()))
    }

    fn reject(&self, code: &str, field: Option<&str>, detail: &str, detail_fr: &str) -> Disposition {
        Disposition::Rejected(Box::new(FinanceRejection {
            message_id: self.message_id.clone(),
            message_type: self.message_type.clone(),
            subject: self.subject.clone(),
            rejected_at: chrono::Utc::now(),
            code: code.to_owned(),
            field: field.map(str::to_owned),
            detail: detail.to_owned(),
            detail_fr: detail_fr.to_owned(),
            payload: self.payload.clone(),
        }))
    }

    /// The application's answer to a command it did not record.
    fn refused(&self, error: ApplicationError, contract_id: Uuid, tenant: &TenantId) -> Disposition {
        match error {
            ApplicationError::Unavailable(_)
            | ApplicationError::Conflict { .. }
            | ApplicationError::PreconditionFailed { .. }
            | ApplicationError::ParticipantHoursRaced => Disposition::Retry(error.to_string()),
            // Another tenant's contract is unknown too: its existence is not disclosed.
            ApplicationError::NotFound { .. } => self.reject(
                "unknown_contract",
                Some("contract_id"),
                &format!("tenant {tenant} has no contract {contract_id}"),
                &format!("le tenant {tenant} n'a pas de marché {contract_id}"),
            ),
            ApplicationError::Refused(refusal) => {
                let field = refusal.field().map(|field| message_field(&field));
                self.reject(refusal.code(), field.as_deref(), &refusal.message(Lang::En), &refusal.message(Lang::Fr))
            }
            ApplicationError::IdempotencyKeyReused => self.reject(
                "message_id_reused",
                None,
                "this Nats-Msg-Id was already used for another message",
                "cet identifiant Nats-Msg-Id a déjà servi pour un autre message",
            ),
            other => {
                let label = other.label();
                self.reject(label, None, &other.to_string(), &format!("refusé : {other}"))
            }
        }
    }
}

/// The command a message carries, and the contract it acts on.
fn command_of(message: FinanceMessage) -> (Uuid, Command) {
    match message {
        FinanceMessage::PaymentReported(payment) => {
            let command = match payment.item {
                // The message does not say whether a first-demand guarantee was provided:
                // recorded as not provided (it changes no figure); finance reports it over HTTP.
                PaidItem::Advance {} => Command::RecordAdvancePaid(AdvancePaidV1 {
                    amount_ttc: payment.amount_ttc,
                    paid_on: payment.paid_on,
                    with_guarantee: false,
                    finance_reference: payment.finance_reference,
                }),
                PaidItem::Instalment { number } => Command::RecordInstalmentPaid(InstalmentPaidV1 {
                    number,
                    amount_ttc: payment.amount_ttc,
                    paid_on: payment.paid_on,
                    finance_reference: payment.finance_reference,
                }),
            };
            (payment.contract_id, command)
        }
    }
}

/// A field of the command (`number`) as the message names it (`item.number`).
fn message_field(command_field: &str) -> String {
    match command_field {
        "number" => "item.number".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_fields_read_as_message_fields() {
        assert_eq!(message_field("number"), "item.number");
        assert_eq!(message_field("amount_ttc"), "amount_ttc");
    }
}
