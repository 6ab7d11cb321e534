//! What the HTTP layer needs to describe a [`DomainError`]: the field and a stable code.

use super::DomainError;

/// The JSON path of a field of statement line `index`: `statement.lines[3].hours`.
pub(crate) fn line_field(index: usize, leaf: &str) -> String {
    format!("statement.lines[{index}].{leaf}")
}

/// The JSON path of a field of review decision `index`: `decisions[0].line_id`.
pub(crate) fn decision_field(index: usize, leaf: &str) -> String {
    format!("decisions[{index}].{leaf}")
}

impl DomainError {
    /// JSON path of the offending field in the command's payload, e.g. `"buyer_siret"`,
    /// `"contractors[1].siret"`, `"statement.lines[3].hours"`; `None` when the refusal is about
    /// the contract's state rather than one field.
    pub fn field(&self) -> Option<String> {
        use DomainError::*;
        let path = match self {
            NotAwarded
            | AlreadyAwarded
            | AlreadyTerminated { .. }
            | AlreadySettled { .. }
            | NotSettled { .. }
            | NoAdvanceTerms
            | AdvanceAlreadyPaid { .. }
            | LinesPendingReview { .. }
            | InstalmentsAwaitingApproval { .. }
            | PenaltyNotNotified
            | PenaltyAlreadyNotified { .. }
            | ObservationPeriodRunning { .. }
            | ObservationsAlreadyReceived { .. }
            | PenaltyAlreadyDecided { .. } => return None,
            NoInsertionClause { field } => return field.clone(),
            BlankText { field }
            | ReasonRequired { field }
            | NotPositive { field, .. }
            | Negative { field, .. }
            | OutOfRange { field, .. }
            | NotInCents { field, .. }
            | DateInFuture { field, .. }
            | DateTooEarly { field, .. }
            | DateTooLate { field, .. }
            | PeriodInverted { field, .. }
            | PeriodOutOfBounds { field, .. }
            | InvalidSiretChecksum { field, .. }
            | ContradictoryConsiderations { field }
            | BelowExecutedValue { field, .. }
            | AboveContractAmount { field, .. }
            | AboveValueAtTermination { field, .. }
            | UnknownInstalment { field, .. }
            | ImplausibleCommittedHours { field, .. } => field.clone(),
            NoContractor | InvalidContractorRoles => "contractors".to_owned(),
            DuplicateContractor { index, .. } => format!("contractors[{index}].siret"),
            RecoveryThresholdsInverted { end_share: Some(_), .. } => "advance_terms.recovery.end_share".to_owned(),
            RecoveryThresholdsInverted { end_share: None, .. } => "advance_terms.recovery.start_share".to_owned(),
            PaymentTermAboveLegalMaximum { .. } => "payment_term_days".to_owned(),
            AmendmentOutOfSequence { .. } => "amendment_number".to_owned(),
            DurationEndsBeforeExecutedWork { .. } => "new_duration_months".to_owned(),
            InsertionClauseAlreadyAgreed | NoSocialClause => "insertion_clause".to_owned(),
            AdvanceAboveGranted { .. } | PaymentAboveApproved { .. } => "amount_ttc".to_owned(),
            InstalmentOutOfSequence { .. }
            | InstalmentAlreadyApproved { .. }
            | PreviousInstalmentNotApproved { .. }
            | InstalmentNotApproved { .. }
            | InstalmentAlreadyPaid { .. } => "number".to_owned(),
            InstalmentPeriodOverlaps { .. } => "period".to_owned(),
            CorrectionChangesNothing => "correction".to_owned(),
            NotTheLastInstalment { .. } => "correction.number".to_owned(),
            DuplicateLineId { index, .. } => line_field(*index, "line_id"),
            LineSpansSeveralMonths { index, .. } => line_field(*index, "period"),
            TooManyHoursPerPersonPerMonth { index, .. } => line_field(*index, "hours"),
            UnknownParticipant { index, .. } | ParticipantErased { index, .. } | NotAParticipant { index } => {
                line_field(*index, "participant")
            }
            ParticipantNotEligible { index, .. } => line_field(*index, "period"),
            NoDecisions => "decisions".to_owned(),
            UnknownLine { index, .. } | DuplicateLineDecision { index, .. } | LineAlreadyReviewed { index, .. } => {
                decision_field(*index, "line_id")
            }
            NegativeNetToPay { .. } => "other_deductions_ttc".to_owned(),
            AmountDiffersFromProposal { .. } | PenaltyProposalUnavailable { .. } => "amount_ht".to_owned(),
        };
        Some(path)
    }

    /// A stable snake_case code, one per variant: the last segment of the problem `type` URI.
    /// Never renamed once published.
    pub fn code(&self) -> &'static str {
        use DomainError::*;
        match self {
            NotAwarded => "not_awarded",
            AlreadyAwarded => "already_awarded",
            AlreadyTerminated { .. } => "already_terminated",
            AlreadySettled { .. } => "already_settled",
            NotSettled { .. } => "not_settled",
            NoInsertionClause { .. } => "no_insertion_clause",
            BlankText { .. } => "blank_text",
            ReasonRequired { .. } => "reason_required",
            NotPositive { .. } => "not_positive",
            Negative { .. } => "negative",
            OutOfRange { .. } => "out_of_range",
            NotInCents { .. } => "not_in_cents",
            DateInFuture { .. } => "date_in_future",
            DateTooEarly { .. } => "date_too_early",
            DateTooLate { .. } => "date_too_late",
            PeriodInverted { .. } => "period_inverted",
            PeriodOutOfBounds { .. } => "period_out_of_bounds",
            InvalidSiretChecksum { .. } => "invalid_siret_checksum",
            NoContractor => "no_contractor",
            DuplicateContractor { .. } => "duplicate_contractor",
            InvalidContractorRoles => "invalid_contractor_roles",
            ContradictoryConsiderations { .. } => "contradictory_considerations",
            RecoveryThresholdsInverted { .. } => "recovery_thresholds_inverted",
            PaymentTermAboveLegalMaximum { .. } => "payment_term_above_legal_maximum",
            ImplausibleCommittedHours { .. } => "implausible_committed_hours",
            AmendmentOutOfSequence { .. } => "amendment_out_of_sequence",
            BelowExecutedValue { .. } => "below_executed_value",
            AboveContractAmount { .. } => "above_contract_amount",
            AboveValueAtTermination { .. } => "above_value_at_termination",
            DurationEndsBeforeExecutedWork { .. } => "duration_ends_before_executed_work",
            InsertionClauseAlreadyAgreed => "insertion_clause_already_agreed",
            NoSocialClause => "no_social_clause",
            NoAdvanceTerms => "no_advance_terms",
            AdvanceAlreadyPaid { .. } => "advance_already_paid",
            AdvanceAboveGranted { .. } => "advance_above_granted",
            InstalmentOutOfSequence { .. } => "instalment_out_of_sequence",
            InstalmentPeriodOverlaps { .. } => "instalment_period_overlaps",
            DuplicateLineId { .. } => "duplicate_line_id",
            LineSpansSeveralMonths { .. } => "line_spans_several_months",
            TooManyHoursPerPersonPerMonth { .. } => "too_many_hours_per_person_per_month",
            UnknownParticipant { .. } => "unknown_participant",
            ParticipantNotEligible { .. } => "participant_not_eligible",
            ParticipantErased { .. } => "participant_erased",
            NotAParticipant { .. } => "not_a_participant",
            UnknownInstalment { .. } => "unknown_instalment",
            NoDecisions => "no_decisions",
            UnknownLine { .. } => "unknown_line",
            DuplicateLineDecision { .. } => "duplicate_line_decision",
            LineAlreadyReviewed { .. } => "line_already_reviewed",
            InstalmentAlreadyApproved { .. } => "instalment_already_approved",
            PreviousInstalmentNotApproved { .. } => "previous_instalment_not_approved",
            NegativeNetToPay { .. } => "negative_net_to_pay",
            InstalmentNotApproved { .. } => "instalment_not_approved",
            InstalmentAlreadyPaid { .. } => "instalment_already_paid",
            PaymentAboveApproved { .. } => "payment_above_approved",
            LinesPendingReview { .. } => "lines_pending_review",
            InstalmentsAwaitingApproval { .. } => "instalments_awaiting_approval",
            CorrectionChangesNothing => "correction_changes_nothing",
            NotTheLastInstalment { .. } => "not_the_last_instalment",
            PenaltyNotNotified => "penalty_not_notified",
            PenaltyAlreadyNotified { .. } => "penalty_already_notified",
            ObservationPeriodRunning { .. } => "observation_period_running",
            ObservationsAlreadyReceived { .. } => "observations_already_received",
            PenaltyAlreadyDecided { .. } => "penalty_already_decided",
            AmountDiffersFromProposal { .. } => "amount_differs_from_proposal",
            PenaltyProposalUnavailable { .. } => "penalty_proposal_unavailable",
        }
    }

    /// Whether the command conflicts with the contract's current state (HTTP 409) rather than
    /// carrying an invalid value (HTTP 422). A hint for the HTTP layer; the code stays the key.
    /// [`DomainError::NotAwarded`] is neither: the contract does not exist yet (usually 404).
    pub fn is_conflict(&self) -> bool {
        use DomainError::*;
        matches!(
            self,
            AlreadyAwarded
                | AlreadyTerminated { .. }
                | AlreadySettled { .. }
                | NotSettled { .. }
                | AdvanceAlreadyPaid { .. }
                | AmendmentOutOfSequence { .. }
                | InsertionClauseAlreadyAgreed
                | InstalmentOutOfSequence { .. }
                | LineAlreadyReviewed { .. }
                | InstalmentAlreadyApproved { .. }
                | PreviousInstalmentNotApproved { .. }
                | InstalmentNotApproved { .. }
                | InstalmentAlreadyPaid { .. }
                | PaymentAboveApproved { .. }
                | LinesPendingReview { .. }
                | InstalmentsAwaitingApproval { .. }
                | PenaltyNotNotified
                | PenaltyAlreadyNotified { .. }
                | ObservationPeriodRunning { .. }
                | ObservationsAlreadyReceived { .. }
                | PenaltyAlreadyDecided { .. }
        )
    }
}
