//! Read models projected from the event log: contract summaries (with the at-risk flag),
//! instalments (advance recovery, payment delays, late-payment interest), statement lines,
//! penalty proposals with their explanation. Yearly indicators are queries over these tables
//! (see `docs/indicators.md`).

mod cache;
pub mod calculations;
pub mod failures;
pub mod indicators;
pub mod lag;
pub mod projector;
pub mod rows;
pub mod target;
mod write;

pub use failures::{FailureSummary, QuarantinedContract};
pub use indicators::{cached_yearly_indicators, yearly_indicators, CachedIndicators, YearlyIndicators};
pub use lag::{lag, Lag};
pub use projector::{checkpoint, BatchOutcome, Checkpoint, Projector, ProjectorConfig, ProjectorError};
pub use target::Schema;
