//! Every refusal in words, in French and in English.
//!
//! The people reading them are French buyers, facilitators and small firms: French is the
//! default ([`Lang::Fr`]), English ([`Lang::En`], the `Display` of [`DomainError`]) is for
//! integrators who ask for it. The two say the same thing with the same figures:
//!
//! - fields are named by their JSON path (`statement.lines[1].hours`), in both languages;
//! - dates are `JJ/MM/AAAA` in French (`01/03/2024`, as in the penalty explanation) and ISO
//!   (`2024-03-01`) in English;
//! - amounts and hours are written as sent, with a decimal comma and grouped thousands in
//!   French (`50 000,00 €`, `240,5 h`), as is in English (`50000.00`);
//! - enumerations are named in words (« collectivité territoriale », "local authority"), never
//!   by a Rust name.

use suivi_proto::events::BuyerKind;
use suivi_proto::quantities::Share;

use super::french::{self, date, euros, hours, number, percent};
use super::DomainError;
use crate::contract::ContractStatus;

/// A language the API answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// French, the default.
    #[default]
    Fr,
    /// English, on request (`Accept-Language: en`).
    En,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// Its BCP 47 tag, for `Content-Language`: `fr`, `en`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

impl DomainError {
    /// The refusal in `lang`: a short sentence naming the field at fault and the figures that
    /// break the rule. [`Lang::En`] is the `Display`.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Fr => self.message_fr(),
            Lang::En => self.to_string(),
        }
    }

    fn message_fr(&self) -> String {
        use DomainError::*;
        match self {
            NotAwarded => "le marché n'a pas été attribué".to_owned(),
            AlreadyAwarded => "le marché est déjà attribué".to_owned(),
            AlreadyTerminated { terminated_on } => format!("le marché a été résilié le {}", date(*terminated_on)),
            AlreadySettled { settled_on } => format!("le marché a été soldé le {}", date(*settled_on)),
            NotSettled { status } => format!(
                "le marché est {} : la pénalité se décide après le décompte général définitif",
                status_fr(*status)
            ),
            NoInsertionClause { .. } => "le marché n'a pas de clause d'insertion".to_owned(),
            BlankText { field } => format!("{field} ne doit pas être vide"),
            ReasonRequired { field } => format!("{field} : un motif écrit est obligatoire"),
            NotPositive { field, value } => format!("{field} doit être supérieur à 0 (reçu : {})", number(*value)),
            Negative { field, value } => format!("{field} ne doit pas être négatif (reçu : {})", number(*value)),
            OutOfRange { field, value, range } => match range_fr(range) {
                Some(range) => format!("{field} doit être {range} (reçu : {})", number(*value)),
                None => format!("{field} est hors des valeurs admises (reçu : {})", number(*value)),
            },
            NotInCents { field, value } => {
                format!("{field} doit être un montant au centime près (reçu : {})", number(*value))
            }
            DateInFuture { field, date: day, today } => {
                format!("{field} ({}) est dans le futur (nous sommes le {})", date(*day), date(*today))
            }
            DateTooEarly { field, date: day, earliest, bound } => match bound_fr(bound) {
                Some(bound) => format!("{field} ({}) précède {bound} ({})", date(*day), date(*earliest)),
                None => format!("{field} ({}) précède le {}", date(*day), date(*earliest)),
            },
            DateTooLate { field, date: day, latest, bound } => match bound_fr(bound) {
                Some(bound) => format!("{field} ({}) est postérieur à {bound} ({})", date(*day), date(*latest)),
                None => format!("{field} ({}) est postérieur au {}", date(*day), date(*latest)),
            },
            PeriodInverted { field, start, end } => {
                format!("{field} commence le {}, après sa fin le {}", date(*start), date(*end))
            }
            PeriodOutOfBounds { field, start, end, earliest, latest } => format!(
                "{field} (du {} au {}) doit se situer entre le {} et le {}",
                date(*start),
                date(*end),
                date(*earliest),
                date(*latest)
            ),
            InvalidSiretChecksum { field, siret } => {
                format!("{field} : le SIRET {} est invalide (clé de contrôle fausse)", siret.as_str())
            }
            NoContractor => "un marché doit avoir au moins un titulaire".to_owned(),
            DuplicateContractor { siret, .. } => format!("le titulaire {} figure deux fois", siret.as_str()),
            InvalidContractorRoles => {
                "les titulaires doivent être un titulaire unique, ou un mandataire et au moins un cotraitant".to_owned()
            }
            ContradictoryConsiderations { field } => {
                format!("{field} : « pas de considération » ne se combine avec aucune autre considération")
            }
            RecoveryThresholdsInverted { start_share, end_share } => format!(
                "le remboursement de l'avance doit finir après avoir commencé (début à {}, fin à {})",
                percent(start_share.value()),
                percent(end_share.unwrap_or(Share::ONE).value())
            ),
            PaymentTermAboveLegalMaximum { days, maximum, buyer_kind } => format!(
                "un délai de paiement de {days} jours dépasse le maximum légal de {maximum} jours pour {}",
                buyer_kind_fr(*buyer_kind)
            ),
            ImplausibleCommittedHours { field, committed, maximum } => format!(
                "{field} : un engagement de {} n'est pas plausible, au plus {} (le montant HT divisé par le SMIC \
                 horaire brut, et jamais plus de 1 000 000 h)",
                hours(committed.value()),
                hours(maximum.value())
            ),
            AmendmentOutOfSequence { expected, got } => {
                format!("l'avenant n° {got} ne suit pas le précédent : le n° {expected} est attendu")
            }
            BelowExecutedValue { field, value, executed } => {
                format!("{field} ({}) est inférieur à la valeur déjà exécutée ({})", euros(*value), euros(*executed))
            }
            AboveContractAmount { field, value, amount } => {
                format!("{field} ({}) dépasse le montant du marché ({})", euros(*value), euros(*amount))
            }
            AboveValueAtTermination { field, value, value_at_termination } => format!(
                "{field} ({}) dépasse la valeur exécutée à la résiliation ({})",
                euros(*value),
                euros(*value_at_termination)
            ),
            DurationEndsBeforeExecutedWork { new_end, last_work_day } => format!(
                "la nouvelle durée finirait le marché le {}, avant des heures déjà déclarées ({})",
                date(*new_end),
                date(*last_work_day)
            ),
            InsertionClauseAlreadyAgreed => {
                "le marché a déjà une clause d'insertion : modifiez ses heures avec new_committed_hours".to_owned()
            }
            NoSocialClause => "le marché a été attribué sans clause sociale : un avenant ne peut pas y ajouter un \
                               engagement d'insertion"
                .to_owned(),
            NoAdvanceTerms => "le marché ne prévoit pas d'avance".to_owned(),
            AdvanceAlreadyPaid { paid_on } => format!("l'avance a déjà été versée le {}", date(*paid_on)),
            AdvanceAboveGranted { amount, granted } => {
                format!("l'avance versée ({}) dépasse l'avance accordée ({})", euros(*amount), euros(*granted))
            }
            InstalmentOutOfSequence { expected, got } => {
                format!("l'acompte n° {got} ne suit pas le précédent : le n° {expected} est attendu")
            }
            InstalmentPeriodOverlaps { start, end, previous, previous_start, previous_end } => format!(
                "la période du {} au {} chevauche celle de l'acompte n° {previous} (du {} au {}) : une période \
                 n'est demandée qu'une fois",
                date(*start),
                date(*end),
                date(*previous_start),
                date(*previous_end)
            ),
            DuplicateLineId { line_id, .. } => format!("la ligne {line_id} figure deux fois dans le relevé"),
            LineSpansSeveralMonths { start, end, .. } => {
                format!("une ligne du relevé couvre un seul mois civil (ici du {} au {})", date(*start), date(*end))
            }
            TooManyHoursPerPersonPerMonth { code, month, total, maximum, .. } => format!(
                "{} déclarées pour le participant {code} en {}, tous marchés de l'organisation confondus : plus \
                 de {} n'est pas plausible",
                hours(total.value()),
                french::month(*month),
                hours(maximum.value())
            ),
            UnknownParticipant { code, .. } => {
                format!("aucun participant {code} dans le registre de l'organisation : vérifiez le code transmis")
            }
            ParticipantNotEligible { code, eligible_from, eligible_until, .. } => format!(
                "le participant {code} est éligible du {} au {} : la période de la ligne en sort",
                date(*eligible_from),
                date(*eligible_until)
            ),
            ParticipantErased { code, .. } => {
                format!("le participant {code} a été effacé : aucune heure ne peut plus lui être déclarée")
            }
            NotAParticipant { .. } => "une ligne du relevé doit désigner un participant inscrit".to_owned(),
            UnknownInstalment { number, .. } => format!("l'acompte n° {number} n'existe pas"),
            NoDecisions => "un examen doit comporter au moins une décision".to_owned(),
            UnknownLine { instalment, line_id, .. } => {
                format!("le relevé de l'acompte n° {instalment} n'a pas de ligne {line_id}")
            }
            DuplicateLineDecision { line_id, .. } => {
                format!("la ligne {line_id} reçoit deux décisions dans cet examen")
            }
            LineAlreadyReviewed { line_id, .. } => format!("la ligne {line_id} a déjà été examinée"),
            InstalmentAlreadyApproved { number } => format!("l'acompte n° {number} est déjà approuvé"),
            PreviousInstalmentNotApproved { number, previous } => {
                format!("l'acompte n° {previous} doit être approuvé avant l'acompte n° {number}")
            }
            NegativeNetToPay { gross_ttc, advance_recovery_ttc, other_deductions_ttc } => format!(
                "les retenues dépassent l'acompte : brut {} − remboursement de l'avance {} − autres retenues {} \
                 est négatif",
                euros(*gross_ttc),
                euros(*advance_recovery_ttc),
                euros(*other_deductions_ttc)
            ),
            InstalmentNotApproved { number } => format!("l'acompte n° {number} n'est pas approuvé"),
            InstalmentAlreadyPaid { number, paid_on } => {
                format!("l'acompte n° {number} a déjà été payé le {}", date(*paid_on))
            }
            PaymentAboveApproved { number, amount, net_to_pay } => format!(
                "le montant payé ({}) dépasse le net à payer de l'acompte n° {number} ({})",
                euros(*amount),
                euros(*net_to_pay)
            ),
            LinesPendingReview { count: 1 } => {
                "1 ligne de relevé attend encore son examen : la pénalité la compterait comme non réalisée".to_owned()
            }
            LinesPendingReview { count } => format!(
                "{count} lignes de relevé attendent encore leur examen : la pénalité les compterait comme non \
                 réalisées"
            ),
            InstalmentsAwaitingApproval { count: 1, first } => {
                format!("l'acompte n° {first} attend encore son approbation : approuvez-le avant le décompte général")
            }
            InstalmentsAwaitingApproval { count, first } => format!(
                "{count} acomptes attendent encore leur approbation, à commencer par le n° {first} : approuvez-les \
                 avant le décompte général"
            ),
            CorrectionChangesNothing => {
                "la correction donne la valeur déjà enregistrée : il n'y a rien à corriger".to_owned()
            }
            NotTheLastInstalment { number, last } => {
                format!("seul le dernier acompte (n° {last}) peut être retiré, pas l'acompte n° {number}")
            }
            PenaltyNotNotified => "le titulaire doit d'abord recevoir la notification de la pénalité envisagée et \
                                   disposer d'un délai pour présenter ses observations (procédure contradictoire) ; \
                                   pour n'appliquer aucune pénalité, renoncez-y"
                .to_owned(),
            PenaltyAlreadyNotified { notified_on } => {
                format!("la pénalité a déjà été notifiée au titulaire le {}", date(*notified_on))
            }
            ObservationPeriodRunning { until } => format!(
                "le titulaire peut présenter ses observations jusqu'au {} : décidez après cette date, ou dès \
                 réception de ses observations (ou renoncez à la pénalité)",
                date(*until)
            ),
            ObservationsAlreadyReceived { received_on } => {
                format!("les observations du titulaire ont déjà été reçues le {}", date(*received_on))
            }
            PenaltyAlreadyDecided { decided_on } => format!("la pénalité a déjà été décidée le {}", date(*decided_on)),
            AmountDiffersFromProposal { amount_ht, proposed_ht } => format!(
                "la proposition est de {} HT, pas {} HT : pour appliquer un autre montant, ajustez la pénalité \
                 avec un motif",
                crate::french::euros(*proposed_ht),
                crate::french::euros(*amount_ht)
            ),
            PenaltyProposalUnavailable { missing } => format!(
                "{} ; la proposition ne peut pas être confirmée (ajustez-la ou renoncez-y avec un motif)",
                crate::reference::MissingReference::message_of(missing.table, missing.date, Lang::Fr)
            ),
        }
    }
}

/// How the English `Display` names a buyer kind: "for a local authority".
pub(super) fn buyer_kind_en(kind: BuyerKind) -> &'static str {
    match kind {
        BuyerKind::State => "the State",
        BuyerKind::LocalAuthority => "a local authority",
        BuyerKind::Hospital => "a public hospital",
        BuyerKind::PublicCompany => "a public company",
    }
}

fn buyer_kind_fr(kind: BuyerKind) -> &'static str {
    match kind {
        BuyerKind::State => "l'État",
        BuyerKind::LocalAuthority => "une collectivité territoriale",
        BuyerKind::Hospital => "un établissement public de santé",
        BuyerKind::PublicCompany => "une entreprise publique",
    }
}

fn status_fr(status: ContractStatus) -> &'static str {
    match status {
        ContractStatus::Awarded => "en cours d'exécution",
        ContractStatus::Terminated => "résilié mais pas encore soldé",
        ContractStatus::Settled => "soldé",
    }
}

/// The bounds `decide` names in [`DomainError::DateTooEarly`] (English phrases), in French;
/// `None` for one not listed here (the message then gives the date alone).
fn bound_fr(bound: &str) -> Option<&'static str> {
    BOUNDS.iter().find(|(english, _)| *english == bound).map(|(_, french)| *french)
}

/// (English, French) of every bound `decide` passes to `not_before` (a test checks the list
/// against `decide`'s sources).
const BOUNDS: &[(&str, &str)] = &[
    ("the notification date", "la date de notification"),
    ("the day the request was received", "la date de réception de la demande"),
    ("the start of the period requested", "le début de la période demandée"),
    ("the previous amendment's signature", "la signature de l'avenant précédent"),
    ("the last amendment's signature", "la signature du dernier avenant"),
    ("the end of the last instalment period", "la fin de la période du dernier acompte"),
    ("the termination date", "la date de résiliation"),
    ("the approval date", "la date d'approbation"),
    ("the settlement date", "la date du décompte général définitif"),
    ("the last request's receipt", "la réception de la dernière demande d'acompte"),
    ("the last approval", "la dernière approbation d'acompte"),
    ("the previous instalment's approval", "l'approbation de l'acompte précédent"),
    ("the penalty notification", "la notification de la pénalité"),
    ("the observations' receipt", "la réception des observations du titulaire"),
    ("the end of the observation period", "la fin du délai d'observations"),
];

/// The ranges `decide` names in [`DomainError::OutOfRange`], as the end of a French sentence
/// ("doit être …"); `None` for one not listed here.
fn range_fr(range: &str) -> Option<&'static str> {
    Some(match range {
        "0 to 1000000000000" => "compris entre 0 et 1 000 000 000 000",
        "1 to 1200" => "compris entre 1 et 1 200 (mois : cent ans au plus)",
        "1 to 90" => "compris entre 1 et 90 (jours)",
        "[0, 1]" => "compris entre 0 et 1",
        "[0, 1)" => "au moins 0 et moins de 1",
        "(0, 1]" => "plus de 0 et au plus 1",
        "(0, 10]" => "plus de 0 et au plus 10 (fois le SMIC horaire brut)",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn every_example_reads_in_both_languages_without_a_rust_name() {
        for error in DomainError::examples() {
            for lang in Lang::ALL {
                let message = error.message(lang);
                assert!(!message.is_empty(), "{error:?}");
                if let Some(name) = rust_name(&message) {
                    panic!("{lang:?} message of {error:?} names {name:?}: {message}");
                }
            }
            assert_ne!(error.message(Lang::Fr), error.message(Lang::En), "{error:?} is not translated");
        }
    }

    #[test]
    fn dates_are_written_jj_mm_aaaa_in_french_and_iso_in_english() {
        let error = DomainError::AlreadySettled { settled_on: NaiveDate::from_ymd_opt(2025, 4, 15).unwrap() };
        assert_eq!(error.message(Lang::Fr), "le marché a été soldé le 15/04/2025");
        assert_eq!(error.message(Lang::En), "the contract was settled on 2025-04-15");
    }

    #[test]
    fn a_buyer_kind_is_named_in_words() {
        let error =
            DomainError::PaymentTermAboveLegalMaximum { days: 60, maximum: 30, buyer_kind: BuyerKind::LocalAuthority };
        assert_eq!(
            error.message(Lang::Fr),
            "un délai de paiement de 60 jours dépasse le maximum légal de 30 jours pour une collectivité territoriale"
        );
        assert_eq!(
            error.message(Lang::En),
            "payment term of 60 days exceeds the legal maximum of 30 days for a local authority"
        );
    }

    /// A word that reads like a Rust identifier: lower then upper case inside a word
    /// (`LocalAuthority`, `buyerKind`), or `Some(` / `None` (an `Option`'s `Debug`).
    fn rust_name(text: &str) -> Option<String> {
        if text.contains("Some(") || text.split(|c: char| !c.is_alphanumeric()).any(|word| word == "None") {
            return Some("Option".to_owned());
        }
        text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .find(|word| word.chars().zip(word.chars().skip(1)).any(|(a, b)| a.is_lowercase() && b.is_uppercase()))
            .map(str::to_owned)
    }

    #[test]
    fn the_rust_name_check_catches_a_debug_name() {
        assert_eq!(rust_name("for a LocalAuthority buyer").as_deref(), Some("LocalAuthority"));
        assert_eq!(rust_name("end Some(0.6)").as_deref(), Some("Option"));
        assert_eq!(rust_name("statement.lines[1].hours : If-Match, SIRET, ETag"), None);
    }

    /// Every bound `decide` passes to `not_before` has its French words: the last string
    /// literal of each call in `decide`'s sources.
    #[test]
    fn every_date_bound_of_decide_is_translated() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/decide");
        let mut found = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for (at, _) in text.match_indices("not_before(\"") {
                let call = &text[at..];
                let call = &call[..call.find(")?").unwrap_or(call.len())];
                let bound = call.rsplit('"').nth(1).unwrap();
                assert!(bound_fr(bound).is_some(), "no French words for the bound {bound:?}");
                found += 1;
            }
        }
        assert!(found >= BOUNDS.len(), "the scan found {found} calls");
    }
}
