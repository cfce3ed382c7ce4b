//! Form fields used in several panels.

use std::fmt::Display;
use std::str::FromStr;

use leptos::prelude::*;

/// A labelled number input: the value is parsed on change and clamped to
/// `min..=max`; input that does not parse leaves the value as it was.
#[component]
pub fn NumberField<T>(
    /// Visible label.
    label: &'static str,
    /// `data-testid` of the input.
    testid: &'static str,
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
    let clamp = move |v: T| {
        if v < min {
            min
        } else if v > max {
            max
        } else {
            v
        }
    };
    view! {
        <label class="field small">
            <span>{label}</span>
            <input
                type="number"
                min=min.to_string()
                max=max.to_string()
                data-testid=testid
                prop:value=move || value.get().to_string()
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<T>() {
                        on_set.run(clamp(v));
                    }
                }
            />
        </label>
    }
}
