//! Form fields used in several panels.

use std::fmt::Display;
use std::str::FromStr;

use leptos::prelude::*;

/// A typed number, or why it cannot be used: not a number, or outside
/// `min..=max`.
pub fn parse_in_range<T>(text: &str, min: T, max: T) -> Result<T, String>
where
    T: FromStr + Display + PartialOrd + Copy,
{
    match text.trim().parse::<T>() {
        Ok(v) if v >= min && v <= max => Ok(v),
        Ok(_) => Err(format!("Enter a value from {min} to {max}.")),
        Err(_) => Err(format!("Enter a number from {min} to {max}.")),
    }
}

/// A labelled number input: the value is parsed on change; input that is
/// not a number in `min..=max` leaves the value as it was and says why next
/// to the field (test id `<testid>-error`).
#[component]
pub fn NumberField<T>(
    /// Visible label.
    label: &'static str,
    /// `data-testid` of the input.
    #[prop(into)]
    testid: String,
    /// Smallest value accepted.
    min: T,
    /// Largest value accepted.
    max: T,
    /// Current value.
    #[prop(into)]
    value: Signal<T>,
    /// Called with the new value.
    on_set: Callback<T>,
) -> impl IntoView
where
    T: FromStr + Display + PartialOrd + Copy + Send + Sync + 'static,
{
    let (error, set_error) = signal(None::<String>);
    let error_id = format!("{testid}-error");
    view! {
        <label class="field small">
            <span>{label}</span>
            <input
                type="number"
                min=min.to_string()
                max=max.to_string()
                data-testid=testid
                prop:value=move || value.get().to_string()
                on:change=move |ev| match parse_in_range(&event_target_value(&ev), min, max) {
                    Ok(v) => {
                        set_error.set(None);
                        on_set.run(v);
                    }
                    Err(e) => set_error.set(Some(e)),
                }
            />
            {move || error.get().map(|e| view! {
                <span class="field-error" role="alert" data-testid=error_id.clone()>{e}</span>
            })}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_outside_the_range_or_not_numbers_are_refused() {
        assert_eq!(parse_in_range(" 4 ", 1usize, 64), Ok(4));
        assert_eq!(parse_in_range("64", 1usize, 64), Ok(64));
        assert_eq!(
            parse_in_range("0", 1usize, 64),
            Err("Enter a value from 1 to 64.".into())
        );
        assert_eq!(
            parse_in_range("-3", 1usize, 64),
            Err("Enter a number from 1 to 64.".into())
        );
        assert_eq!(
            parse_in_range("", 0.0, 600.0),
            Err("Enter a number from 0 to 600.".into())
        );
        assert_eq!(parse_in_range("1e2", 0.0, 600.0), Ok(100.0));
    }
}
