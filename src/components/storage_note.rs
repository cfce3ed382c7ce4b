//! A failed write to the device, wherever it matters: why, with the
//! browser's figures of what is used and allowed, and a way to free space
//! (the oldest kept runs). What was not kept stays on screen and
//! exportable.

use leptos::prelude::*;

use crate::components::hooks;
use crate::state::{History, Storage};

/// The last failed write, if any, with "Delete the oldest kept runs".
#[component]
pub fn StorageNote() -> impl IntoView {
    let storage = expect_context::<Storage>();
    let history = expect_context::<History>();
    // Half the stored runs, at least one: enough room for a few more.
    let oldest = move || history.stored().div_ceil(2);
    view! {
        {move || storage.error.get().map(|e| view! {
            <div class="storage-note" role="alert">
                <p class="field-error" data-testid=hooks::STORAGE_ERROR>{e}</p>
                {move || storage.usage.get().map(|u| view! {
                    <p class="hint" data-testid=hooks::STORAGE_USED
                        data-used=format!("{:.0}", u.used) data-quota=format!("{:.0}", u.quota)>
                        {format!("{}. What was not kept stays on screen: export it before leaving the page.", u.describe())}
                    </p>
                })}
                <button type="button" data-testid=hooks::STORAGE_FREE_UP disabled=move || oldest() == 0
                    on:click=move |_| history.free_oldest(oldest())>
                    {move || format!("Free space: delete the {} oldest kept run(s)", oldest())}
                </button>
            </div>
        })}
    }
}
