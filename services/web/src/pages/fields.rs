//! A form's fields as typed, and its errors where people look for them (RGAA 11.10, 11.11):
//! each error right under its field, tied to it by `aria-describedby`, and all of them listed
//! at the top of the page, each a link to its field.

use serde::de::DeserializeOwned;
use serde_json::Value;

/// One input of a form, ready for `champ.html`.
pub struct Field {
    /// Its `id` and `name`.
    pub id: String,
    pub label: String,
    pub value: String,
    /// `text`, `date` or `select`.
    pub kind: &'static str,
    /// `decimal`, `numeric` or empty: the keyboard a phone shows.
    pub input_mode: &'static str,
    pub hint: &'static str,
    pub choices: Vec<Choice>,
    pub error: Option<String>,
    /// The ids of its hint and error, for `aria-describedby` (empty when none).
    pub described_by: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

impl Field {
    pub fn new(id: impl Into<String>, label: impl Into<String>, kind: &'static str, value: String) -> Self {
        Field {
            id: id.into(),
            label: label.into(),
            value,
            kind,
            input_mode: "",
            hint: "",
            choices: Vec::new(),
            error: None,
            described_by: String::new(),
        }
    }

    pub fn input_mode(mut self, mode: &'static str) -> Self {
        self.input_mode = mode;
        self
    }

    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = hint;
        self
    }

    /// A `select` offering `choices` (value, label) after an empty « choose » option.
    pub fn choices(mut self, choices: impl IntoIterator<Item = (&'static str, &'static str)>) -> Self {
        let selected = self.value.clone();
        self.choices =
            choices.into_iter().map(|(value, label)| Choice { value, label, selected: value == selected }).collect();
        self
    }

    /// Takes its error from `errors`, and says which texts describe it.
    pub fn checked(mut self, errors: &Errors) -> Self {
        self.error = errors.of(&self.id).map(str::to_owned);
        let mut ids = Vec::new();
        if !self.hint.is_empty() {
            ids.push(format!("{}-aide", self.id));
        }
        if self.error.is_some() {
            ids.push(format!("{}-erreur", self.id));
        }
        self.described_by = ids.join(" ");
        self
    }
}

/// A link of the error summary.
pub struct SummaryLink {
    pub href: String,
    pub text: String,
}

/// What is wrong with a posted form: per field (by its id), or about the whole form.
#[derive(Default)]
pub struct Errors {
    fields: Vec<(String, String)>,
    general: Vec<String>,
}

impl Errors {
    /// `message` for field `id`; a field shows its first error only.
    pub fn field(&mut self, id: impl Into<String>, message: impl Into<String>) {
        let id = id.into();
        if self.of(&id).is_none() {
            self.fields.push((id, message.into()));
        }
    }

    pub fn general(&mut self, message: impl Into<String>) {
        self.general.push(message.into());
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    pub fn of(&self, id: &str) -> Option<&str> {
        self.fields.iter().find(|(field, _)| field == id).map(|(_, message)| message.as_str())
    }

    pub fn general_messages(&self) -> &[String] {
        &self.general
    }

    /// The summary's links, in the order of `fields` (the page's order), each field's label
    /// first so the link makes sense read alone.
    pub fn summary<'a>(&self, fields: impl IntoIterator<Item = &'a Field>) -> Vec<SummaryLink> {
        fields
            .into_iter()
            .filter_map(|field| {
                let message = self.of(&field.id)?;
                // A refusal's words may already start with the field's name (see `in_words`).
                let text = if message.starts_with(&field.label) {
                    message.to_owned()
                } else {
                    format!("{} : {message}", field.label)
                };
                Some(SummaryLink { href: format!("#{}", field.id), text })
            })
            .collect()
    }
}

/// A figure as French people type it (`1 200,50`, `120 000 €`) in the API's shape (`1200.50`):
/// spaces, the euro sign and the decimal comma are the only liberties taken (`1h30` stays wrong).
pub fn figure(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '€'))
        .map(|c| if c == ',' { '.' } else { c })
        .collect()
}

/// `text` read as the API reads a JSON string of type `T`: the same checks, whichever way the
/// value came in.
pub fn as_api<T: DeserializeOwned>(text: &str) -> Option<T> {
    serde_json::from_value(Value::String(text.to_owned())).ok()
}

/// A date typed `JJ/MM/AAAA` (what French people write) or sent `AAAA-MM-JJ` (what a date
/// input sends), in the API's shape.
pub fn date(typed: &str) -> Option<String> {
    let date = chrono::NaiveDate::parse_from_str(typed, "%d/%m/%Y")
        .or_else(|_| chrono::NaiveDate::parse_from_str(typed, "%Y-%m-%d"))
        .ok()?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// A refusal's French words, with the JSON path it names (`statement.lines[2].hours doit …`)
/// replaced by what the person sees (`Heures, ligne 3 : doit …`).
pub fn in_words(message: &str, path: Option<&str>, label: &str) -> String {
    let Some(path) = path.filter(|path| message.contains(*path)) else { return message.to_owned() };
    match message.strip_prefix(path) {
        Some(rest) => format!("{label} : {}", rest.trim_start_matches([' ', ':']).trim_start()),
        None => message.replace(path, label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_and_dates_are_read_the_french_way() {
        assert_eq!(figure("1 200,50 €"), "1200.50");
        assert_eq!(figure("7,5"), "7.5");
        assert_eq!(figure("1h30"), "1h30");
        assert_eq!(date("05/03/2025").as_deref(), Some("2025-03-05"));
        assert_eq!(date("2025-03-05").as_deref(), Some("2025-03-05"));
        assert_eq!(date("31/02/2025"), None);
    }

    #[test]
    fn a_refusal_names_the_field_as_shown() {
        let words =
            in_words("statement.lines[2].hours doit être supérieur à 0", Some("statement.lines[2].hours"), "Heures");
        assert_eq!(words, "Heures : doit être supérieur à 0");
        let words = in_words(
            "decisions[0].decision.reason : un motif écrit est obligatoire",
            Some("decisions[0].decision.reason"),
            "Motif",
        );
        assert_eq!(words, "Motif : un motif écrit est obligatoire");
        assert_eq!(in_words("aucun participant", Some("x"), "Code"), "aucun participant");
    }

    #[test]
    fn a_field_is_described_by_its_hint_and_its_error() {
        let mut errors = Errors::default();
        errors.field("heures", "trop");
        errors.field("heures", "second");
        let field = Field::new("heures", "Heures", "text", "x".into()).hint("en heures").checked(&errors);
        assert_eq!(field.described_by, "heures-aide heures-erreur");
        assert_eq!(field.error.as_deref(), Some("trop"));
        assert_eq!(errors.summary([&field])[0].href, "#heures");
    }
}
