//! Free text on the wire: what a person typed or another system wrote (a contract's object, a
//! reason, a procedure name, a lot title, a payment reference).
//!
//! Text may hold any character but **control characters** (Unicode category Cc: U+0000–U+001F
//! and U+007F–U+009F). They are invisible, they break logs, CSV exports and terminals, and
//! U+0000 cannot be stored in a PostgreSQL `text` column at all: an event carrying one was
//! accepted, then stopped the projector. Two shapes, each a serde `deserialize_with` function
//! (plus an `_opt` twin for `Option<String>`) and a schema type for `#[schemars(with = ...)]`:
//!
//! | shape | used for | allowed control characters |
//! |---|---|---|
//! | [`single_line`] / [`SingleLineText`] | names, labels, references, vocabulary | none |
//! | [`multi_line`] / [`MultiLineText`] | a contract's object, reasons | line feed (`\n`) and tab (`\t`) |
//!
//! Carriage returns are refused too: a line ends with `\n` on the wire (a browser's
//! `textarea.value` already gives `\n`). Fields stay `String`s, so code that builds payloads
//! (the domain, the importers) is unchanged; the DECP import checks its text with
//! [`check_multi_line`] and [`check_single_line`] and reports a bad record.
//!
//! # Stored events are read as they were written
//!
//! The check is in deserialisation, so that every edge reading a payload type from a client
//! (the HTTP bodies, finance's messages through [`crate::FinanceMessage::decode`],
//! [`crate::Payload::decode`]) refuses such a text with serde's error naming the field, and the
//! schema and serde keep refusing the same documents. But events are never edited, and some
//! were stored before this rule: [`crate::Event::decode`] and [`crate::Event::decode_str`],
//! which read **stored** events, read their text as written, control characters included
//! (see [`reading_stored`]). Refusing them there would make a contract unreadable for ever;
//! whatever cannot hold such a text (a read model) deals with it where it writes.

use std::borrow::Cow;
use std::cell::Cell;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{Deserialize, Deserializer};

/// The two shapes of text; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextShape {
    SingleLine,
    MultiLine,
}

impl TextShape {
    /// The JSON Schema (ECMA 262) pattern of the shape.
    pub fn pattern(self) -> &'static str {
        match self {
            TextShape::SingleLine => r"^[^\u0000-\u001f\u007f-\u009f]*$",
            TextShape::MultiLine => r"^[^\u0000-\u0008\u000b-\u001f\u007f-\u009f]*$",
        }
    }

    fn allows(self, c: char) -> bool {
        !c.is_control() || (self == TextShape::MultiLine && matches!(c, '\n' | '\t'))
    }

    fn rule(self) -> &'static str {
        match self {
            TextShape::SingleLine => "a single line of text may hold no control character",
            TextShape::MultiLine => "text may hold line feeds and tabs but no other control character",
        }
    }

    /// The first character the shape refuses, if any.
    pub fn check(self, text: &str) -> Result<(), InvalidText> {
        match text.chars().enumerate().find(|(_, c)| !self.allows(*c)) {
            None => Ok(()),
            Some((index, character)) => Err(InvalidText { shape: self, character, index }),
        }
    }
}

/// A text holding a control character its shape refuses. The message names the character by
/// its code point and place, never echoes the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "control character U+{code:04X} at character {place}: {rule}",
    code = u32::from(*.character),
    place = .index + 1,
    rule = .shape.rule()
)]
pub struct InvalidText {
    pub shape: TextShape,
    pub character: char,
    /// 0-based index of the character (in characters, not bytes).
    pub index: usize,
}

/// [`TextShape::SingleLine`]'s check, for code that builds payloads from other sources.
pub fn check_single_line(text: &str) -> Result<(), InvalidText> {
    TextShape::SingleLine.check(text)
}

/// [`TextShape::MultiLine`]'s check, for code that builds payloads from other sources.
pub fn check_multi_line(text: &str) -> Result<(), InvalidText> {
    TextShape::MultiLine.check(text)
}

thread_local! {
    /// Set while a stored event is decoded: see [`reading_stored`].
    static READING_STORED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `read` with the text checks off on this thread: for reading events already in the log,
/// which are never edited and must stay readable (see the module documentation). Decoding is
/// synchronous, so the scope cannot leak into other work; the previous state is restored even
/// if `read` panics.
pub(crate) fn reading_stored<T>(read: impl FnOnce() -> T) -> T {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            READING_STORED.with(|flag| flag.set(self.0));
        }
    }
    let _restore = Restore(READING_STORED.with(|flag| flag.replace(true)));
    read()
}

/// Whether a stored event is being decoded on this thread (see [`reading_stored`]): other
/// edge-only checks (e.g. [`crate::quantities::Hours`]' two decimals) are lifted then too.
pub(crate) fn is_reading_stored() -> bool {
    READING_STORED.with(Cell::get)
}

fn checked<E: serde::de::Error>(shape: TextShape, text: String) -> Result<String, E> {
    if is_reading_stored() {
        return Ok(text);
    }
    shape.check(&text).map_err(E::custom)?;
    Ok(text)
}

/// Generates the `deserialize_with` functions and the schema type of one shape.
macro_rules! shape {
    ($shape:ident, $schema:ident, $function:ident, $opt_function:ident, $description:literal) => {
        #[doc = concat!("serde `deserialize_with` for a `String`: ", $description)]
        pub fn $function<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
            checked(TextShape::$shape, String::deserialize(d)?)
        }

        #[doc = concat!("serde `deserialize_with` for an `Option<String>` (null when absent): ", $description)]
        pub fn $opt_function<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
            Option::<String>::deserialize(d)?.map(|text| checked(TextShape::$shape, text)).transpose()
        }

        #[doc = concat!("Schema of a `String` field (for `#[schemars(with = ...)]`): ", $description)]
        pub struct $schema;

        impl JsonSchema for $schema {
            fn inline_schema() -> bool {
                true
            }

            fn schema_name() -> Cow<'static, str> {
                stringify!($schema).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({
                    "type": "string",
                    "pattern": TextShape::$shape.pattern(),
                    "description": $description,
                })
            }
        }
    };
}

shape!(
    SingleLine,
    SingleLineText,
    single_line,
    single_line_opt,
    "one line of text, without control characters (U+0000–U+001F, U+007F–U+009F)."
);
shape!(
    MultiLine,
    MultiLineText,
    multi_line,
    multi_line_opt,
    "text that may span lines: line feeds and tabs allowed, no other control character."
);

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "single_line")]
        label: String,
        #[serde(default, deserialize_with = "multi_line_opt")]
        note: Option<String>,
    }

    #[test]
    fn it_allows_line_feeds_and_tabs_in_multi_line_text_only() {
        for text in ["Réhabilitation du gymnase — lot 2", "", "«guillemets» et emoji 🏗", "\u{a0}espace insécable"]
        {
            assert_eq!(check_single_line(text), Ok(()), "{text:?}");
            assert_eq!(check_multi_line(text), Ok(()), "{text:?}");
        }
        assert_eq!(check_multi_line("ligne 1\nligne 2\tcolonne"), Ok(()));
        for (text, character, index) in
            [("a\nb", '\n', 1), ("\tx", '\t', 0), ("nul\0", '\0', 3), ("é\u{85}", '\u{85}', 1)]
        {
            assert_eq!(
                check_single_line(text),
                Err(InvalidText { shape: TextShape::SingleLine, character, index }),
                "{text:?}"
            );
        }
        for text in ["a\0b", "a\rb", "a\u{1b}[31m", "\u{7f}", "\u{9f}"] {
            assert!(check_multi_line(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn it_names_the_code_point_and_place_without_echoing_the_text() {
        let error = check_multi_line("Objet\0 secret").expect_err("a NUL");
        assert_eq!(
            error.to_string(),
            "control character U+0000 at character 6: text may hold line feeds and tabs but no other control character"
        );
    }

    #[test]
    fn it_refuses_control_characters_when_deserialising_but_not_when_reading_stored_events() {
        let json = serde_json::json!({"label": "a\u{0}b", "note": "x"});
        let error = Sample::deserialize(&json).expect_err("a NUL").to_string();
        assert!(error.starts_with("control character U+0000 at character 2"), "{error}");
        let error = Sample::deserialize(&serde_json::json!({"label": "a", "note": "b\u{7}"})).expect_err("a BEL");
        assert!(error.to_string().starts_with("control character U+0007"), "{error}");
        let no_note = Sample::deserialize(&serde_json::json!({"label": "a", "note": null})).expect("null is absent");
        assert_eq!(no_note.note, None);

        let stored = reading_stored(|| Sample::deserialize(&json)).expect("stored events read as written");
        assert_eq!(stored.label, "a\u{0}b");
        assert!(Sample::deserialize(&json).is_err(), "the scope ends with its closure");
    }
}
