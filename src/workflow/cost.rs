//! Estimated cost of a run from token usage and a per-model price table the
//! user can edit (prices change; the defaults are a starting point).

use serde::{Deserialize, Serialize};

/// Price of one model, in US dollars per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Price {
    /// Model id, or a prefix of ids ("gpt-4o-mini" also prices "gpt-4o-mini-2024-07-18").
    pub model: String,
    /// Dollars per million prompt tokens.
    pub input_per_mtok: f64,
    /// Dollars per million completion tokens.
    pub output_per_mtok: f64,
}

fn p(model: &str, input: f64, output: f64) -> Price {
    Price {
        model: model.into(),
        input_per_mtok: input,
        output_per_mtok: output,
    }
}

/// OpenAI list prices for standard processing as published when this table was written.
pub fn default_prices() -> Vec<Price> {
    vec![
        p("gpt-4o-mini", 0.15, 0.60),
        p("gpt-4o", 2.50, 10.00),
        p("gpt-4.1-nano", 0.10, 0.40),
        p("gpt-4.1-mini", 0.40, 1.60),
        p("gpt-4.1", 2.00, 8.00),
        p("gpt-5-nano", 0.05, 0.40),
        p("gpt-5-mini", 0.25, 2.00),
        p("gpt-5", 1.25, 10.00),
        p("o4-mini", 1.10, 4.40),
        p("o3", 2.00, 8.00),
        p("gpt-3.5-turbo", 0.50, 1.50),
    ]
}

/// The entry for `model`: an exact match, else the longest prefix match.
pub fn price_for<'a>(prices: &'a [Price], model: &str) -> Option<&'a Price> {
    prices
        .iter()
        .filter(|p| model == p.model || model.starts_with(&format!("{}-", p.model)))
        .max_by_key(|p| p.model.len())
}

/// Sets (or adds) the price of exactly `model`.
pub fn set_price(prices: &mut Vec<Price>, model: &str, input: f64, output: f64) {
    match prices.iter_mut().find(|p| p.model == model) {
        Some(p) => {
            p.input_per_mtok = input;
            p.output_per_mtok = output;
        }
        None => prices.push(Price {
            model: model.into(),
            input_per_mtok: input,
            output_per_mtok: output,
        }),
    }
}

/// A price typed by the user (USD per 1M tokens), or why it cannot be one.
pub fn parse_price(text: &str) -> Result<f64, String> {
    let t = text.trim();
    match t.parse::<f64>() {
        Ok(v) if !v.is_finite() => Err(format!(
            "\"{t}\" is not a price: enter a number such as 0.15."
        )),
        Ok(v) if v < 0.0 => Err(format!("A price cannot be negative (got {t}).")),
        Ok(v) => Ok(v),
        Err(_) if t.is_empty() => Err("Enter a price, 0 or more (USD per 1M tokens).".into()),
        Err(_) => Err(format!(
            "\"{t}\" is not a price: enter a number such as 0.15."
        )),
    }
}

/// Changes one side of `model`'s price, keeping the other side of the price
/// that applies to it now (0 where there is none).
pub fn edit_price(prices: &mut Vec<Price>, model: &str, input: Option<f64>, output: Option<f64>) {
    let current = price_for(prices, model);
    let keep_in = current.map_or(0.0, |p| p.input_per_mtok);
    let keep_out = current.map_or(0.0, |p| p.output_per_mtok);
    set_price(
        prices,
        model,
        input.unwrap_or(keep_in).max(0.0),
        output.unwrap_or(keep_out).max(0.0),
    );
}

/// Dollars for the given token counts.
pub fn cost_usd(price: &Price, tokens_in: u64, tokens_out: u64) -> f64 {
    (tokens_in as f64 * price.input_per_mtok + tokens_out as f64 * price.output_per_mtok)
        / 1_000_000.0
}

/// Estimated dollars for `model`'s tokens at the table's price, if it has one.
pub fn estimate_usd(prices: &[Price], model: &str, tokens_in: u64, tokens_out: u64) -> Option<f64> {
    price_for(prices, model).map(|p| cost_usd(p, tokens_in, tokens_out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_need_a_price() {
        let prices = default_prices();
        let usd = estimate_usd(&prices, "gpt-4o-mini-2024-07-18", 1_000_000, 500_000).unwrap();
        assert!((usd - (0.15 + 0.30)).abs() < 1e-12);
        assert_eq!(estimate_usd(&prices, "llama3", 10, 10), None);
    }

    #[test]
    fn typed_prices_are_checked() {
        assert_eq!(parse_price(" 0.15 "), Ok(0.15));
        assert_eq!(parse_price("0"), Ok(0.0));
        assert!(
            parse_price("-1")
                .unwrap_err()
                .contains("cannot be negative")
        );
        assert!(parse_price("abc").unwrap_err().contains("not a price"));
        assert!(parse_price("inf").unwrap_err().contains("not a price"));
        assert!(parse_price("").unwrap_err().contains("Enter a price"));
    }

    #[test]
    fn prefix_matching_prefers_the_most_specific_entry() {
        let prices = default_prices();
        assert_eq!(
            price_for(&prices, "gpt-4o-mini").unwrap().input_per_mtok,
            0.15
        );
        assert_eq!(
            price_for(&prices, "gpt-4o-mini-2024-07-18").unwrap().model,
            "gpt-4o-mini"
        );
        assert_eq!(
            price_for(&prices, "gpt-4o-2024-08-06").unwrap().model,
            "gpt-4o"
        );
        assert_eq!(
            price_for(&prices, "gpt-5-mini").unwrap().model,
            "gpt-5-mini"
        );
        assert!(price_for(&prices, "llama3").is_none());
        // "gpt-4o" must not price "gpt-4onion".
        assert!(price_for(&prices, "gpt-4onion").is_none());
    }

    #[test]
    fn costs_and_edits() {
        let mut prices = default_prices();
        let c = cost_usd(
            price_for(&prices, "gpt-4o-mini").unwrap(),
            1_000_000,
            500_000,
        );
        assert!((c - 0.45).abs() < 1e-12);
        set_price(&mut prices, "llama3", 0.0, 0.0);
        assert_eq!(cost_usd(price_for(&prices, "llama3").unwrap(), 10, 10), 0.0);
        set_price(&mut prices, "gpt-4o", 1.0, 2.0);
        assert_eq!(price_for(&prices, "gpt-4o").unwrap().output_per_mtok, 2.0);
        assert_eq!(prices.iter().filter(|p| p.model == "gpt-4o").count(), 1);
    }

    #[test]
    fn editing_one_side_keeps_the_other() {
        let mut prices = default_prices();
        // A dated id gets its own entry, starting from the family's price.
        edit_price(&mut prices, "gpt-4o-mini-2024-07-18", Some(0.2), None);
        let p = price_for(&prices, "gpt-4o-mini-2024-07-18").unwrap();
        assert_eq!(
            (p.model.as_str(), p.input_per_mtok, p.output_per_mtok),
            ("gpt-4o-mini-2024-07-18", 0.2, 0.60)
        );
        edit_price(&mut prices, "new-model", None, Some(3.0));
        let p = price_for(&prices, "new-model").unwrap();
        assert_eq!((p.input_per_mtok, p.output_per_mtok), (0.0, 3.0));
        edit_price(&mut prices, "new-model", Some(-5.0), None);
        assert_eq!(
            price_for(&prices, "new-model").unwrap().input_per_mtok,
            0.0,
            "negative prices are clamped"
        );
    }
}
