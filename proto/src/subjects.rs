//! NATS subject naming.
//!
//! - events: `<prefix>.<tenant>.evt.<event_type>.<stream_id>`, so a consumer filters by type
//!   (`suivi.t1.evt.penalty_confirmed.*`), by contract (`suivi.t1.evt.*.<id>`) or by tenant
//!   (`suivi.t1.evt.>`), and permissions can be granted per tenant;
//! - finance inbound: `<prefix>.<tenant>.fin.<message_type>`, kept in the `<PREFIX>_FINANCE_IN`
//!   stream until Suivi has taken each message;
//! - rejections of finance messages: `<prefix>.<tenant>.fin.rejected.<message_type>`, kept in the
//!   `<PREFIX>_FINANCE_DEAD` dead-letter stream;
//! - the ledger, the self-contained facts finance acts on:
//!   `<prefix>.<tenant>.ledger.<fact>.<contract_id>`, in the `<PREFIX>_LEDGER` stream, read by
//!   each tenant's finance through its durable consumer `finance-<tenant>`;
//! - queries (NATS service `suivi-finance`): `<prefix>.<tenant>.query.<name>`.
//!
//! Every subject of a tenant starts with `<prefix>.<tenant>.`, so permissions are granted per
//! tenant (see `deploy/nats/`).
//!
//! The prefix is `suivi` in production; tests use their own so they can run side by side.

use uuid::Uuid;

use crate::ids::TenantId;

/// The default subject prefix.
pub const DEFAULT_PREFIX: &str = "suivi";

/// Builds subjects for one prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    prefix: String,
}

impl Default for Subjects {
    fn default() -> Self {
        Subjects { prefix: DEFAULT_PREFIX.to_owned() }
    }
}

impl Subjects {
    /// `prefix` must be one or more NATS tokens without wildcards (e.g. `suivi` or `test.ab12`).
    pub fn new(prefix: impl Into<String>) -> Self {
        Subjects { prefix: prefix.into() }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The subject an event is published on.
    pub fn event(&self, tenant: &TenantId, event_type: &str, stream_id: Uuid) -> String {
        format!("{}.{}.evt.{}.{}", self.prefix, tenant, event_type, stream_id)
    }

    /// Every event of every tenant: what the event stream captures.
    pub fn all_events(&self) -> String {
        format!("{}.*.evt.>", self.prefix)
    }

    /// Every event of one tenant.
    pub fn tenant_events(&self, tenant: &TenantId) -> String {
        format!("{}.{}.evt.>", self.prefix, tenant)
    }

    /// Every event of one type, all contracts of a tenant.
    pub fn events_of_type(&self, tenant: &TenantId, event_type: &str) -> String {
        format!("{}.{}.evt.{}.*", self.prefix, tenant, event_type)
    }

    /// Every event of one contract.
    pub fn contract_events(&self, tenant: &TenantId, stream_id: Uuid) -> String {
        format!("{}.{}.evt.*.{}", self.prefix, tenant, stream_id)
    }

    /// What finance sends in for a tenant.
    pub fn finance_inbound(&self, tenant: &TenantId, message_type: &str) -> String {
        format!("{}.{}.fin.{}", self.prefix, tenant, message_type)
    }

    /// Every finance message of every tenant: what the inbound stream captures (one token after
    /// `fin`, so rejections, `fin.rejected.<type>`, are not captured with them).
    pub fn all_finance_inbound(&self) -> String {
        format!("{}.*.fin.*", self.prefix)
    }

    /// Where the rejection of a finance message of `message_type` is published.
    pub fn finance_rejected(&self, tenant: &TenantId, message_type: &str) -> String {
        format!("{}.{}.fin.rejected.{}", self.prefix, tenant, message_type)
    }

    /// Every rejection of one tenant: its finance's filter on the dead-letter stream.
    pub fn tenant_finance_rejected(&self, tenant: &TenantId) -> String {
        format!("{}.{}.fin.rejected.>", self.prefix, tenant)
    }

    /// Every rejection of every tenant: what the dead-letter stream captures.
    pub fn all_finance_rejected(&self) -> String {
        format!("{}.*.fin.rejected.>", self.prefix)
    }

    /// A ledger fact about a contract.
    pub fn ledger(&self, tenant: &TenantId, fact: &str, contract_id: Uuid) -> String {
        format!("{}.{}.ledger.{}.{}", self.prefix, tenant, fact, contract_id)
    }

    /// Every ledger fact of one tenant: its finance consumer's filter.
    pub fn tenant_ledger(&self, tenant: &TenantId) -> String {
        format!("{}.{}.ledger.>", self.prefix, tenant)
    }

    /// Every ledger fact of every tenant: what the ledger stream captures.
    pub fn all_ledger(&self) -> String {
        format!("{}.*.ledger.>", self.prefix)
    }

    /// A query of one tenant.
    pub fn query(&self, tenant: &TenantId, name: &str) -> String {
        format!("{}.{}.query.{}", self.prefix, tenant, name)
    }

    /// A query of every tenant: what the service listens on.
    pub fn all_queries(&self, name: &str) -> String {
        format!("{}.*.query.{}", self.prefix, name)
    }

    /// The durable consumer through which a tenant's finance reads the ledger.
    pub fn finance_consumer(&self, tenant: &TenantId) -> String {
        format!("finance-{tenant}")
    }

    /// `SUIVI_FINANCE_IN` for `suivi`.
    pub fn finance_inbound_stream_name(&self) -> String {
        self.stream_name("FINANCE_IN")
    }

    /// `SUIVI_FINANCE_DEAD` for `suivi`.
    pub fn finance_dead_letter_stream_name(&self) -> String {
        self.stream_name("FINANCE_DEAD")
    }

    /// `SUIVI_LEDGER` for `suivi`.
    pub fn ledger_stream_name(&self) -> String {
        self.stream_name("LEDGER")
    }

    fn stream_name(&self, suffix: &str) -> String {
        let token: String =
            self.prefix.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
        format!("{token}_{suffix}")
    }

    /// The JetStream stream name for this prefix's events (`SUIVI_EVENTS` for `suivi`).
    pub fn event_stream_name(&self) -> String {
        self.stream_name("EVENTS")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_subjects_carry_tenant_type_and_contract() {
        let tenant = TenantId::parse("grand-besancon").expect("valid tenant");
        let id = Uuid::nil();
        let subjects = Subjects::default();
        assert_eq!(
            subjects.event(&tenant, "penalty_confirmed", id),
            "suivi.grand-besancon.evt.penalty_confirmed.00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(
            subjects.events_of_type(&tenant, "penalty_confirmed"),
            "suivi.grand-besancon.evt.penalty_confirmed.*"
        );
        assert_eq!(subjects.contract_events(&tenant, id), format!("suivi.grand-besancon.evt.*.{id}"));
        assert_eq!(subjects.all_events(), "suivi.*.evt.>");
        assert_eq!(subjects.finance_inbound(&tenant, "payment_reported"), "suivi.grand-besancon.fin.payment_reported");
        assert_eq!(subjects.event_stream_name(), "SUIVI_EVENTS");
        assert_eq!(subjects.all_finance_inbound(), "suivi.*.fin.*");
        assert_eq!(
            subjects.finance_rejected(&tenant, "payment_reported"),
            "suivi.grand-besancon.fin.rejected.payment_reported"
        );
        assert_eq!(
            subjects.ledger(&tenant, "instalment_approved", id),
            format!("suivi.grand-besancon.ledger.instalment_approved.{id}")
        );
        assert_eq!(subjects.tenant_ledger(&tenant), "suivi.grand-besancon.ledger.>");
        assert_eq!(subjects.query(&tenant, "balance"), "suivi.grand-besancon.query.balance");
        assert_eq!(subjects.finance_consumer(&tenant), "finance-grand-besancon");
        assert_eq!(subjects.ledger_stream_name(), "SUIVI_LEDGER");
        assert_eq!(subjects.finance_inbound_stream_name(), "SUIVI_FINANCE_IN");
        assert_eq!(subjects.finance_dead_letter_stream_name(), "SUIVI_FINANCE_DEAD");
        assert_eq!(Subjects::new("t.ab-12").event_stream_name(), "T_AB_12_EVENTS");
    }

    #[test]
    fn tenant_ids_are_subject_tokens() {
        assert!(TenantId::parse("vichy-communaute").is_ok());
        for bad in ["", "Grand", "a.b", "a*", "a>", "a b", &"x".repeat(33)] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?} must be refused");
        }
    }
}
