//! `components/schemas`: JSON Schemas (draft 2020-12, OpenAPI 3.1's dialect) generated from the
//! Rust types the handlers read and write, so the document cannot drift from them.
//!
//! Request bodies are described as serde *reads* them and responses as serde *writes* them
//! (schemars' deserialize and serialize contracts): a field with a default is optional in a
//! request, a field skipped when empty is optional in a response. A type used both ways must
//! give the same schema both ways, or generation fails loudly (see [`Schemas::into_components`]).

use schemars::generate::SchemaSettings;
use schemars::transform::{RecursiveTransform, Transform};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value};
use suivi_http::routes::SchemaFn;

/// Where referenced schemas live in an OpenAPI document.
const COMPONENTS: &str = "/components/schemas";

/// Collects the schemas an operation table refers to.
pub struct Schemas {
    requests: SchemaGenerator,
    responses: SchemaGenerator,
}

impl Default for Schemas {
    fn default() -> Self {
        Schemas {
            requests: settings().for_deserialize().into_generator(),
            responses: settings().for_serialize().into_generator(),
        }
    }
}

fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = COMPONENTS.into();
            // Components are parts of one document, whose dialect is OpenAPI 3.1's default.
            s.meta_schema = None;
        })
        .with_transform(RecursiveTransform(add_format_patterns as fn(&mut Schema)))
}

/// Which way a schema describes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A request body: as serde reads it.
    Request,
    /// A response body: as serde writes it.
    Response,
}

impl Schemas {
    pub fn subschema<T: JsonSchema>(&mut self, direction: Direction) -> Value {
        self.schema(suivi_http::routes::schema_of::<T>, direction)
    }

    /// The schema an operation names by its [`SchemaFn`].
    pub fn schema(&mut self, schema: SchemaFn, direction: Direction) -> Value {
        let generator = match direction {
            Direction::Request => &mut self.requests,
            Direction::Response => &mut self.responses,
        };
        let mut schema = schema(generator);
        // Inlined schemas (decimals, arrays) skip the generator's transforms; apply them here.
        RecursiveTransform(add_format_patterns as fn(&mut Schema)).transform(&mut schema);
        schema.to_value()
    }

    /// Every schema referred to, by component name.
    ///
    /// # Panics
    ///
    /// When one name stands for two different schemas: a type whose request and response
    /// schemas differ would need two names, and silently picking one would document a lie.
    pub fn into_components(mut self) -> Map<String, Value> {
        let mut components = self.requests.take_definitions(true);
        for (name, schema) in self.responses.take_definitions(true) {
            match components.get(&name) {
                Some(existing) if existing != &schema => panic!(
                    "schema {name:?} differs between requests and responses:\n{existing:#}\n{schema:#}\n\
                     give the response type its own name"
                ),
                Some(_) => {}
                None => {
                    components.insert(name, schema);
                }
            }
        }
        components
    }
}

/// Adds a `pattern` to the `uuid` and `date` formats, as `suivi_proto::schema` does for the
/// wire schemas: 2020-12 validators treat `format` as an annotation by default, a pattern is
/// checked by all of them.
fn add_format_patterns(schema: &mut Schema) {
    let pattern = match schema.get("format").and_then(Value::as_str) {
        Some("uuid") => "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        Some("date") => "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        _ => return,
    };
    schema.insert("pattern".to_owned(), pattern.into());
}
