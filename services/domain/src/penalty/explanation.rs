//! The computation of a proposal, step by step, in French, for the facilitator and the
//! contractor (domain.md §4: "every computed penalty must carry its explanation").
//!
//! **It adds up.** Every product is written `a × b = c` with the figures the computation used,
//! so it multiplies out as written; a figure rounded for display (only what the pro-rata's
//! division gives: `≈ 545,45 h`) is marked `≈`, and the line that introduces it says the
//! computation keeps every decimal. A step that rounds says so beside its exact figure: the cap
//! (`= 4 111,110774 €, arrondi au centime : 4 111,11 €`) and the raw amount
//! (`17,475 € → 17,48 €`).

use suivi_proto::events::HoursBasis;
use suivi_proto::quantities::Hours;

use super::french::{date, equals, euros, factor, hours, is_rounded, percent};
use super::{PenaltyProposal, RateSource};

impl PenaltyProposal {
    /// One line per step: commitment, pro-rata, counted hours, shortfall, tolerance, rate, raw
    /// amount, cap, rounding, exemption, penalty proposed.
    pub fn explanation(&self) -> Vec<String> {
        let mut lines = vec![format!("Heures d'insertion engagées : {}", hours(self.committed_hours))];
        lines.extend(self.termination_line());
        lines.push(format!(
            "Heures prises en compte ({}) : {}",
            match self.basis {
                HoursBasis::Validated => "validées",
                HoursBasis::Declared => "déclarées",
            },
            hours(self.counted_hours)
        ));
        lines.push(self.shortfall_line());
        lines.push(self.tolerance_line());
        lines.push(self.rate_line());
        lines.push(format!(
            "Montant brut : {} × {} {} HT",
            hours(self.penalised_hours),
            euros(self.rate_per_hour_ht),
            equals(euros(self.raw_amount_ht))
        ));
        lines.push(self.cap_line());
        lines.push(self.rounding_line());
        lines.push(self.exemption_line());
        lines.push(format!("Pénalité proposée : {} HT", euros(self.final_amount_ht)));
        lines
    }

    /// The commitment the shortfall is measured against (pro-rated if so).
    fn effective_committed_hours(&self) -> Hours {
        self.pro_rated_committed_hours.unwrap_or(self.committed_hours)
    }

    fn termination_line(&self) -> Option<String> {
        let termination = self.termination?;
        Some(match (self.pro_rata_factor, self.pro_rated_committed_hours) {
            (Some(share), Some(pro_rated)) => {
                let shown = hours(pro_rated);
                let rounded = if is_rounded(&shown) {
                    " ; ≈ : arrondi pour l'affichage, le calcul garde toutes les décimales"
                } else {
                    ""
                };
                format!(
                    "Résiliation : engagement proratisé à la valeur exécutée, {} × {} HT ÷ {} HT {} ({} de \
                     l'engagement{rounded})",
                    hours(self.committed_hours),
                    euros(termination.value_executed_ht),
                    euros(termination.amount_ht),
                    equals(shown),
                    percent(share),
                )
            }
            _ => format!(
                "Résiliation : le contrat ne proratise pas l'engagement, qui reste de {}",
                hours(self.committed_hours)
            ),
        })
    }

    fn shortfall_line(&self) -> String {
        let committed = self.effective_committed_hours();
        if self.shortfall_hours.is_zero() {
            format!("Heures manquantes : aucune ({} ≥ {})", hours(self.counted_hours), hours(committed))
        } else {
            format!(
                "Heures manquantes : {} − {} {}",
                hours(committed),
                hours(self.counted_hours),
                equals(hours(self.shortfall_hours))
            )
        }
    }

    fn tolerance_line(&self) -> String {
        if self.tolerance_share.is_zero() {
            return "Tolérance : aucune".to_owned();
        }
        let head = format!(
            "Tolérance de {} : seuil {} × (1 − {}) {}",
            percent(self.tolerance_share),
            hours(self.effective_committed_hours()),
            percent(self.tolerance_share),
            equals(hours(self.tolerance_threshold_hours))
        );
        if self.tolerance_reached {
            format!("{head} ; {} ≥ seuil, aucune pénalité", hours(self.counted_hours))
        } else {
            format!(
                "{head} ; {} < seuil, toute l'insuffisance est pénalisée ({})",
                hours(self.counted_hours),
                hours(self.penalised_hours)
            )
        }
    }

    fn rate_line(&self) -> String {
        match self.rate_source {
            RateSource::Fixed { amount_per_hour_ht } => {
                format!("Taux : {} HT par heure manquante (montant fixe du contrat)", euros(amount_per_hour_ht))
            }
            RateSource::Smic { smic_hourly, multiple, reference_date } => format!(
                "Taux : {} × {} {} HT par heure manquante ({} fois le SMIC horaire brut en vigueur le {})",
                factor(multiple),
                euros(smic_hourly),
                equals(euros(self.rate_per_hour_ht)),
                factor(multiple),
                date(reference_date)
            ),
        }
    }

    fn cap_line(&self) -> String {
        let (Some(share), Some(cap)) = (self.cap_share, self.cap_amount_ht) else {
            return "Plafond : aucun".to_owned();
        };
        // The cap is rounded to the cent: the exact product first, then the rounding.
        let exact = self.final_contract_amount_ht * share;
        let product = if exact == cap {
            equals(euros(cap))
        } else {
            format!("{}, arrondi au centime : {}", equals(euros(exact)), euros(cap))
        };
        let head = format!(
            "Plafond : {} × {} HT (montant final) {product} HT",
            percent(share),
            euros(self.final_contract_amount_ht),
        );
        if self.cap_applied {
            format!("{head}, atteint : la pénalité est ramenée au plafond")
        } else {
            format!("{head}, non atteint")
        }
    }

    /// The one rounding of the amount: the raw amount beside the amount to the cent.
    fn rounding_line(&self) -> String {
        if self.cap_applied {
            return format!("Montant après plafond : {} HT (le plafond, au centime)", euros(self.amount_after_cap_ht));
        }
        if self.raw_amount_ht == self.amount_after_cap_ht {
            return format!("Montant arrondi au centime : {} HT (déjà au centime)", euros(self.amount_after_cap_ht));
        }
        format!(
            "Montant arrondi au centime : {} HT → {} HT",
            euros(self.raw_amount_ht),
            euros(self.amount_after_cap_ht)
        )
    }

    fn exemption_line(&self) -> String {
        let Some(threshold) = self.exemption_threshold_ht else {
            return "Seuil d'exonération : aucun".to_owned();
        };
        let head = format!("Seuil d'exonération : {} HT", euros(threshold));
        if self.exempted {
            format!("{head} ; {} HT ≤ seuil, la pénalité est ramenée à 0", euros(self.amount_after_cap_ht))
        } else if self.amount_after_cap_ht.is_zero() {
            format!("{head} ; aucune pénalité à exonérer")
        } else {
            format!("{head} ; {} HT > seuil, la pénalité s'applique", euros(self.amount_after_cap_ht))
        }
    }
}
