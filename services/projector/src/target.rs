//! Which of the two read-model schemas readers use, and switching between them.

use sqlx::PgPool;

/// One of the two identical read-model schemas (see the read-models migration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    ReadA,
    ReadB,
}

impl Schema {
    pub fn name(self) -> &'static str {
        match self {
            Schema::ReadA => "read_a",
            Schema::ReadB => "read_b",
        }
    }

    pub fn other(self) -> Schema {
        match self {
            Schema::ReadA => Schema::ReadB,
            Schema::ReadB => Schema::ReadA,
        }
    }

    fn parse(name: &str) -> Option<Schema> {
        match name {
            "read_a" => Some(Schema::ReadA),
            "read_b" => Some(Schema::ReadB),
            _ => None,
        }
    }
}

/// The schema readers use now.
pub async fn active(pool: &PgPool) -> Result<Schema, sqlx::Error> {
    let name: String = sqlx::query_scalar("select active from read_model_state").fetch_one(pool).await?;
    Schema::parse(&name).ok_or_else(|| sqlx::Error::Protocol(format!("unknown read-model schema {name}")))
}
