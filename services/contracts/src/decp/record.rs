//! One DECP `marche` record → one `contract_awarded` payload.

use serde_json::Value;
use suivi_proto::events::{ContractAwardedV1, SocialConsideration};
use suivi_proto::quantities::MoneyHt;
use suivi_proto::TenantId;
use uuid::Uuid;

use super::defaults::ImportDefaults;
use super::error::{Problem, RecordError};
use super::fields::{describe, Fields};
use super::{advance, buyer, codes, considerations, contractors, schema, vocabulary};

/// Namespace of the UUID v5 contract ids derived from DECP. Fixed forever: changing it would
/// give every imported contract a new id, and a re-import would duplicate them all.
///
/// It replaced `9b45e041-7e0b-4f3a-b2b3-6075ba5a3d0a`, whose names (`"{buyer}/{id}"`) had no
/// tenant: two tenants listing the same buyer got the same contract ids. A new namespace, so
/// that no id of the old scheme can ever equal one of the new.
pub const DECP_NAMESPACE: Uuid = uuid::uuid!("ba8c0685-ce1c-4ce5-9c9c-12e093b677ae");

/// A record mapped to an award, with what the mapping had to assume or leave out.
#[derive(Debug, Clone, PartialEq)]
pub struct DecpAward {
    /// DECP `id`, as written.
    pub decp_id: String,
    /// See [`contract_id`].
    pub contract_id: Uuid,
    pub award: ContractAwardedV1,
    /// The buyer's name, from `acheteur.nom` when the record gives one (not DECP v2, but often
    /// published): not part of the award, it names the buyer in the tenant's list of buyers.
    pub buyer_name: Option<String>,
    /// Assumptions and omissions, one sentence each, for the buyer to review.
    pub warnings: Vec<String>,
}

/// The contract id of a DECP record imported by `tenant`: UUID v5 of
/// `"{tenant}/{buyer SIRET}/{DECP id}"` in [`DECP_NAMESPACE`]. A DECP id is unique per buyer
/// only (an internal order number), hence the buyer's SIRET in the name; a buyer may belong to
/// several tenants (a commune and its intercommunality both import its file), hence the tenant,
/// so that each gets a contract of its own. Neither a tenant id nor a SIRET holds a `/`, so the
/// name is unambiguous whatever the DECP id. Deterministic, so importing a file twice into the
/// same tenant addresses the same streams, and the second award is refused as a duplicate.
pub fn contract_id(tenant: &TenantId, buyer_siret: &str, decp_id: &str) -> Uuid {
    Uuid::new_v5(&DECP_NAMESPACE, format!("{tenant}/{buyer_siret}/{decp_id}").as_bytes())
}

/// Maps one `marche` record imported by `tenant`. The first fault found (fields read in the
/// order below, then the other fields the DECP schema constrains) rejects the record; what the
/// award needs and DECP lacks comes from `defaults`.
///
/// Not imported, by design: `modifications` (amendments are Suivi events of their own; a
/// warning counts them), `lieuExecution`, `offresRecues`, `nature`, `formePrix` and the
/// other fields the award has no place for.
pub fn map_record(record: &Value, tenant: &TenantId, defaults: &ImportDefaults) -> Result<DecpAward, RecordError> {
    let object =
        record.as_object().ok_or_else(|| RecordError::new(None, "", Problem::NotAnObject(describe(record))))?;
    let readable_id = object.get("id").and_then(Value::as_str).filter(|id| !id.trim().is_empty());
    let f = Fields::record(readable_id, object);
    let mut warnings = Vec::new();

    let decp_id = f.string("id")?;
    let acheteur = f.child("acheteur")?;
    let buyer_siret = codes::siret(&acheteur, "id")?;
    let object_text = f.text("objet")?;
    let cpv_code = codes::cpv(&f, "codeCPV")?;
    let procedure = vocabulary_value(&f, "procedure", vocabulary::PROCEDURES)?;
    let ccag = ccag(&f, &mut warnings)?;
    let amount_ht = f.decimal("montant")?;
    if amount_ht <= rust_decimal::Decimal::ZERO {
        return Err(f.fail("montant", Problem::NotPositive(amount_ht.to_string())));
    }
    if amount_ht < rust_decimal::Decimal::ONE {
        return Err(f.fail("montant", Problem::OutOfRange { rule: "at least 1", found: amount_ht.to_string() }));
    }
    let duration_months = f.positive_integer("dureeMois")?;
    let notification_date = codes::date(&f, "dateNotification")?;
    let contractors = contractors::read(&f, defaults.contractor_size, &mut warnings)?;
    let social_considerations = considerations::social(&f, &mut warnings)?;
    let environmental_considerations = considerations::environmental(&f, &mut warnings)?;
    let advance_terms = advance::read(&f, defaults, &mut warnings)?;
    schema::check(&f)?;
    let buyer_name = buyer::name(&acheteur, &mut warnings);
    note_what_decp_lacks(&social_considerations, &mut warnings);
    note_modifications(&f, &mut warnings);

    let award = ContractAwardedV1 {
        buyer_siret,
        buyer_kind: defaults.buyer_kind,
        contractors,
        object: object_text.to_owned(),
        cpv_code,
        procedure: procedure.to_owned(),
        ccag,
        lot: None,
        amount_ht: MoneyHt::new(amount_ht),
        vat_rate: defaults.vat_rate,
        duration_months,
        notification_date,
        social_considerations,
        environmental_considerations,
        reserved_basis: None,
        insertion_clause: None,
        advance_terms,
        payment_term_days: defaults.payment_term_days,
    };
    let contract_id = contract_id(tenant, award.buyer_siret.as_str(), decp_id);
    Ok(DecpAward { decp_id: decp_id.to_owned(), contract_id, award, buyer_name, warnings })
}

/// A required string from a closed vocabulary, returned as written.
fn vocabulary_value<'a>(f: &Fields<'a>, key: &str, allowed: &'static [&'static str]) -> Result<&'a str, RecordError> {
    let value = f.string(key)?;
    if !allowed.contains(&value) {
        return Err(f.fail(key, Problem::UnknownVocabulary { value: value.to_owned(), allowed }));
    }
    Ok(value)
}

/// `ccag`: "Pas de CCAG" is recorded as none. Absent (the schema requires it, old data lacks
/// it) is recorded as none too, with a warning, since nothing else depends on it.
fn ccag(f: &Fields<'_>, warnings: &mut Vec<String>) -> Result<Option<String>, RecordError> {
    if f.optional("ccag").is_none() {
        warnings.push("`ccag` is missing: recorded as no CCAG".to_owned());
        return Ok(None);
    }
    let ccag = vocabulary_value(f, "ccag", vocabulary::CCAGS)?;
    Ok((ccag != vocabulary::NO_CCAG).then(|| ccag.to_owned()))
}

/// The social terms Suivi follows but DECP does not publish.
fn note_what_decp_lacks(social: &[SocialConsideration], warnings: &mut Vec<String>) {
    if social.contains(&SocialConsideration::MarcheReserve) {
        warnings.push(
            "reserved contract: its legal basis (L2113-12, L2113-13 or L2113-15) is not in DECP, to be completed"
                .to_owned(),
        );
    }
    if social.contains(&SocialConsideration::ClauseSociale) {
        warnings.push(
            "social clause: insertion hours and penalty terms are not in DECP, to be completed if it is one".to_owned(),
        );
    }
}

/// Amendments are recorded as Suivi events, with their own dates and evidence; replaying
/// DECP's summaries would record them without either. They are counted, not imported.
fn note_modifications(f: &Fields<'_>, warnings: &mut Vec<String>) {
    match f.optional("modifications") {
        None => {}
        Some(Value::Array(items)) if items.is_empty() => {}
        Some(Value::Array(items)) => {
            let n = items.len();
            let s = if n == 1 { "" } else { "s" };
            warnings.push(format!("{n} modification{s} not imported: record amendments in Suivi"));
        }
        // Refused by `schema::check` before.
        Some(_) => {}
    }
}
