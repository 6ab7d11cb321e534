//! The bodies of the register's requests, and the checks serde cannot make.

use chrono::{Datelike as _, NaiveDate};
use serde::Deserialize;
use suivi_http::{Problem, ProblemCode, Text};
use suivi_privacy::Identity;
use suivi_proto::events::{EligibleCategory, Gender, Prescriber, QualificationLevel};
use suivi_proto::text::{MultiLineText, SingleLineText};

use crate::register::NewParticipant;

/// Longest name or given names accepted, in characters.
const MAX_NAME: usize = 100;

/// A person to register, with the profile indicators count.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    /// Family name (nom de naissance ou d'usage), as on the prescriber's decision.
    #[serde(deserialize_with = "suivi_proto::text::single_line")]
    #[schemars(with = "SingleLineText")]
    pub family_name: String,
    /// Given names (prénoms).
    #[serde(deserialize_with = "suivi_proto::text::single_line")]
    #[schemars(with = "SingleLineText")]
    pub given_names: String,
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub birth_date: NaiveDate,
    pub category: EligibleCategory,
    pub prescriber: Prescriber,
    /// First day of eligibility (the prescriber's decision).
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub eligible_from: NaiveDate,
    /// Last day of eligibility, included.
    #[serde(with = "suivi_proto::date")]
    #[schemars(with = "NaiveDate")]
    pub eligible_until: NaiveDate,
    pub gender: Gender,
    pub qualification: QualificationLevel,
    /// Lives in a priority neighbourhood of the city policy (QPV).
    pub priority_neighbourhood_resident: bool,
}

/// Why a participant's identity is erased.
#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureBody {
    /// E.g. the person's request (RGPD art. 17), the end of the retention period.
    #[serde(deserialize_with = "suivi_proto::text::multi_line")]
    #[schemars(with = "MultiLineText")]
    pub reason: String,
}

fn invalid(field: &str, fr: impl Into<String>, en: impl Into<String>) -> Problem {
    Problem::invalid(ProblemCode::InvalidField, field, Text::new(fr, en))
}

fn name(field: &str, value: &str) -> Result<(), Problem> {
    let length = value.trim().chars().count();
    if length == 0 {
        return Err(invalid(field, "ne peut pas être vide", "may not be blank"));
    }
    if length > MAX_NAME {
        return Err(invalid(
            field,
            format!("compte au plus {MAX_NAME} caractères"),
            format!("is {MAX_NAME} characters at most"),
        ));
    }
    Ok(())
}

impl RegistrationBody {
    /// What serde cannot check: names present and of a sane length, a birth date of someone of
    /// working age at the start of eligibility, an eligibility that ends after it starts.
    pub fn check(&self, today: NaiveDate) -> Result<(), Problem> {
        name("family_name", &self.family_name)?;
        name("given_names", &self.given_names)?;
        if self.birth_date > today || self.birth_date.year() < 1900 {
            return Err(invalid(
                "birth_date",
                "la date de naissance est postérieure à aujourd'hui ou antérieure à 1900",
                "the birth date is after today or before 1900",
            ));
        }
        let age = self.eligible_from.years_since(self.birth_date).unwrap_or(0);
        if !(15..=80).contains(&age) {
            return Err(invalid(
                "birth_date",
                format!("la personne aurait {age} ans au début de son éligibilité : de 15 à 80 ans attendus"),
                format!("the person would be {age} at the start of eligibility: 15 to 80 expected"),
            ));
        }
        if self.eligible_until < self.eligible_from {
            return Err(invalid(
                "eligible_until",
                "la fin de l'éligibilité précède son début",
                "eligibility ends before it starts",
            ));
        }
        Ok(())
    }
}

impl RegistrationBody {
    /// The person to register (after [`RegistrationBody::check`]).
    pub fn into_new_participant(self) -> NewParticipant {
        NewParticipant {
            identity: Identity {
                family_name: self.family_name.trim().to_owned(),
                given_names: self.given_names.trim().to_owned(),
                birth_date: self.birth_date,
            },
            category: self.category,
            prescriber: self.prescriber,
            eligible_from: self.eligible_from,
            eligible_until: self.eligible_until,
            gender: self.gender,
            qualification: self.qualification,
            priority_neighbourhood_resident: self.priority_neighbourhood_resident,
        }
    }
}

impl ErasureBody {
    pub fn check(&self) -> Result<(), Problem> {
        if self.reason.trim().is_empty() {
            return Err(invalid("reason", "un effacement se motive", "an erasure needs a reason"));
        }
        Ok(())
    }
}
