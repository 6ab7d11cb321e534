//! Horizontal bar charts drawn on the server as inline SVG: no script, no image to fetch, and
//! nothing the page's Content-Security-Policy (`default-src 'none'; style-src 'self'`) would
//! block. Colours and sizes are SVG presentation attributes, never `style` attributes.
//!
//! Each bar's label sits on its own line above the bar, so long French labels ("Mise à
//! disposition par une association intermédiaire") never collide with the bars. The chart only
//! illustrates: the page puts the same figures in a table beside it, which screen readers and
//! printouts read.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The drawing's width in SVG units; the style sheet scales it to the column it sits in.
const WIDTH: i64 = 720;
/// The longest bar, leaving room for the value written after it.
const BAR_SPACE: i64 = 560;
const ROW_HEIGHT: i64 = 48;
const BAR_HEIGHT: i64 = 18;
const TOP: i64 = 6;

/// Bars and value in the link colour of the style sheet (8.6:1 on white), text in its text
/// colour, a target in its alert colour (7.2:1): all above the 3:1 RGAA asks of graphics.
const BAR_COLOUR: &str = "#0b4f8a";
const TEXT_COLOUR: &str = "#1a1a1a";
const TARGET_COLOUR: &str = "#a4161a";

/// One bar: what it counts, its value, the value as the page writes it, and optionally a
/// target drawn as a mark across the bar.
pub struct Bar {
    pub label: String,
    pub value: Decimal,
    pub shown: String,
    pub target: Option<Target>,
}

/// A value the bar is compared with (e.g. a PNAD target share).
pub struct Target {
    pub value: Decimal,
    pub shown: String,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: Decimal, shown: impl Into<String>) -> Self {
        Bar { label: label.into(), value, shown: shown.into(), target: None }
    }

    pub fn with_target(mut self, target: Option<Target>) -> Self {
        self.target = target;
        self
    }
}

/// The SVG of a horizontal bar chart titled `title`, `id` unique in the page (it names the
/// title for `aria-labelledby`). The scale runs from 0 to `max`, or to the largest value (or
/// target) when `max` is `None`. No bars, no chart: the page says why instead.
pub fn bar_chart(id: &str, title: &str, bars: &[Bar], max: Option<Decimal>) -> Option<String> {
    if bars.is_empty() {
        return None;
    }
    let largest = bars
        .iter()
        .flat_map(|bar| std::iter::once(bar.value).chain(bar.target.as_ref().map(|target| target.value)))
        .fold(Decimal::ZERO, Decimal::max);
    let max = max.unwrap_or(largest).max(largest);
    let height = TOP * 2 + ROW_HEIGHT * bars.len() as i64;
    let id = escape(id);
    let mut svg = format!(
        r#"<svg class="graphique" role="img" aria-labelledby="{id}-titre" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="system-ui, sans-serif" font-size="15" fill="{TEXT_COLOUR}" xmlns="http://www.w3.org/2000/svg">"#
    );
    svg.push_str(&format!(r#"<title id="{id}-titre">{}</title>"#, escape(title)));
    for (index, bar) in bars.iter().enumerate() {
        let top = TOP + ROW_HEIGHT * index as i64;
        let bar_top = top + 22;
        let width = length(bar.value, max);
        let label = match &bar.target {
            Some(target) => format!("{} (objectif : {})", bar.label, target.shown),
            None => bar.label.clone(),
        };
        svg.push_str(&format!(r#"<text x="0" y="{}">{}</text>"#, top + 16, escape(&label)));
        svg.push_str(&format!(
            r#"<rect x="0" y="{bar_top}" width="{width}" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>"#
        ));
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" font-weight="bold">{}</text>"#,
            width + 8,
            bar_top + BAR_HEIGHT - 4,
            escape(&bar.shown)
        ));
        if let Some(target) = &bar.target {
            let x = length(target.value, max);
            svg.push_str(&format!(
                r#"<line x1="{x}" x2="{x}" y1="{}" y2="{}" stroke="{TARGET_COLOUR}" stroke-width="3"/>"#,
                bar_top - 4,
                bar_top + BAR_HEIGHT + 4
            ));
        }
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// `value`'s length on a scale from 0 to `max`, in whole SVG units (0 for a scale of nothing).
fn length(value: Decimal, max: Decimal) -> i64 {
    if max <= Decimal::ZERO || value <= Decimal::ZERO {
        return 0;
    }
    (value.min(max) * Decimal::from(BAR_SPACE) / max).round().to_i64().unwrap_or(0)
}

/// Text and attribute values as XML needs them (the SVG is written into the page unescaped).
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    #[test]
    fn bars_are_scaled_to_the_largest_value_and_text_is_escaped() {
        let bars = [Bar::new("Embauche <directe> & co", d("100"), "100 h"), Bar::new("ETTI", d("50"), "50 h")];
        let svg = bar_chart("heures", "Heures d'insertion", &bars, None).expect("a chart");
        assert!(svg.starts_with(r#"<svg class="graphique" role="img" aria-labelledby="heures-titre""#), "{svg}");
        assert!(svg.contains(r#"<title id="heures-titre">Heures d&#39;insertion</title>"#), "{svg}");
        assert!(svg.contains(r#"width="560" height="18""#) && svg.contains(r#"width="280" height="18""#), "{svg}");
        assert!(svg.contains("Embauche &lt;directe&gt; &amp; co"), "{svg}");
        assert!(!svg.contains("style="), "{svg}");
    }

    #[test]
    fn a_target_is_marked_on_a_fixed_scale_and_no_bars_is_no_chart() {
        let share =
            Bar::new("Sociales", d("0.5"), "50 %").with_target(Some(Target { value: d("0.3"), shown: "30 %".into() }));
        let svg = bar_chart("parts", "Parts", &[share], Some(Decimal::ONE)).expect("a chart");
        assert!(svg.contains(r#"width="280" height="18""#), "half of 560: {svg}");
        assert!(svg.contains(r#"<line x1="168" x2="168""#), "30 % of 560: {svg}");
        assert!(svg.contains("Sociales (objectif : 30 %)"), "{svg}");
        assert_eq!(bar_chart("vide", "Rien", &[], None), None);
        let zero = bar_chart("zero", "Zéro", &[Bar::new("Rien", Decimal::ZERO, "0")], None).expect("a chart");
        assert!(zero.contains(r#"width="0""#), "{zero}");
    }
}
