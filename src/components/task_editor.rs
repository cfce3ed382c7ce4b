//! The task list: which tasks run, editing a task, writing new ones,
//! resetting built-ins, and exporting/importing tasks as JSON. The rules
//! live in `crate::workflow::catalog`.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::browser::{download_text, take_file};
use crate::components::hooks;
use crate::components::task_options::TaskOptions;
use crate::state::AppState;
use crate::workflow::catalog::is_builtin;
use crate::workflow::input::{FileError, check_task_file};
use crate::workflow::structured::schema_for;
use crate::workflow::tasks::TaskDef;

/// The form's draft: the id it was opened for (None = a new task) and the fields.
type Draft = (Option<String>, TaskDef);

fn blank_task() -> TaskDef {
    TaskDef {
        id: String::new(),
        label: String::new(),
        system: String::new(),
        prompt: "{text}".into(),
        max_tokens: 200,
        structured: false,
        priority: 0,
    }
}

/// Task checkboxes with edit, reset and remove, plus add/export/import
/// ([`TaskFiles`]) and the task form ([`TaskForm`]).
#[component]
pub fn TaskList(
    /// Ids of the tasks that run.
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let catalog = state.tasks;
    let draft = RwSignal::new(None::<Draft>);
    // The task whose parts and votes are open.
    let options_for = RwSignal::new(None::<String>);
    let form_error = RwSignal::new(None::<String>);

    let toggle = move |id: String, on: bool| {
        selected.update(|s| {
            s.retain(|x| *x != id);
            if on {
                s.push(id);
            }
        });
    };
    let open = move |d: Draft| {
        form_error.set(None);
        draft.set(Some(d));
    };
    view! {
        <fieldset class="tasks">
            <legend>"Tasks"</legend>
            <ul class="task-list">
                <For
                    each=move || catalog.with(|c| c.tasks())
                    key=move |t| (t.id.clone(), t.label.clone(), catalog.with_untracked(|c| c.is_edited(&t.id)))
                    children=move |t: TaskDef| {
                        let id = t.id.clone();
                        let builtin = is_builtin(&id);
                        let edited = catalog.with_untracked(|c| c.is_edited(&id));
                        let (id_check, id_toggle, id_edit, id_reset, id_remove) =
                            (id.clone(), id.clone(), id.clone(), id.clone(), id.clone());
                        let (id_options, id_expanded) = (id.clone(), id.clone());
                        view! {
                            <li>
                                <label class="check">
                                    <input
                                        type="checkbox"
                                        data-testid=format!("select-{id}")
                                        prop:checked=move || selected.with(|s| s.contains(&id_check))
                                        on:change=move |ev| toggle(id_toggle.clone(), event_target_checked(&ev))
                                    />
                                    <span>{t.label.clone()}</span>
                                    {edited.then(|| view! { <span class="muted">" (edited)"</span> })}
                                </label>
                                <button type="button" class="link" data-testid=format!("edit-{id}")
                                    aria-label=format!("Edit {}", t.label) title="Edit"
                                    on:click=move |_| {
                                        if let Some(t) = catalog.with_untracked(|c| c.get(&id_edit)) {
                                            open((Some(id_edit.clone()), t));
                                        }
                                    }>"✎"</button>
                                {(builtin && edited).then(|| view! {
                                    <button type="button" class="link" data-testid=format!("reset-{id}")
                                        on:click=move |_| catalog.update(|c| c.reset(&id_reset))>"Reset"</button>
                                })}
                                {(!builtin).then(|| view! {
                                    <button type="button" class="link" data-testid=format!("remove-{id}")
                                        on:click=move |_| {
                                            catalog.update(|c| { c.remove(&id_remove); });
                                            selected.update(|s| s.retain(|x| *x != id_remove));
                                        }>"Remove"</button>
                                })}
                                <button type="button" class="link" data-testid=format!("task-options-{id}")
                                    aria-expanded=move || options_for.with(|o| o.as_deref() == Some(id_expanded.as_str())).to_string()
                                    aria-label=format!("Parts and votes: {}", t.label) title="Parts and votes"
                                    on:click=move |_| options_for.update(|o| {
                                        *o = (o.as_deref() != Some(id_options.as_str())).then(|| id_options.clone());
                                    })>"⋯"</button>
                            </li>
                        }
                    }
                />
            </ul>
            // One task's parts and votes at a time, below the list.
            {move || options_for.get().map(|id| {
                let label = catalog.with_untracked(|c| c.get(&id).map(|t| t.label).unwrap_or_default());
                view! { <TaskOptions id label /> }
            })}
            <TaskFiles selected=selected on_add=Callback::new(move |_| open((None, blank_task()))) />
            <TaskForm draft=draft selected=selected form_error=form_error />
        </fieldset>
    }
}

/// Add a task; export the edited and added tasks; import a file of tasks.
#[component]
fn TaskFiles(
    /// Ids of the tasks that run (imported tasks are ticked).
    selected: RwSignal<Vec<String>>,
    /// "Add task" pressed.
    on_add: Callback<()>,
) -> impl IntoView {
    let catalog = expect_context::<AppState>().tasks;
    let (file_status, set_file_status) = signal(None::<Result<String, String>>);
    let export = move |_| {
        let json = catalog.with_untracked(|c| c.export_json());
        set_file_status.set(Some(
            download_text("fanout-tasks.json", "application/json", &json)
                .map(|()| "Exported the edited and added tasks.".to_string()),
        ));
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(file) = take_file(&ev) else {
            return;
        };
        let name = file.name();
        if let Err(e) = check_task_file(&name, file.size() as u64) {
            set_file_status.set(Some(Err(e.to_string())));
            return;
        }
        spawn_local(async move {
            let Ok(text) = gloo_file::futures::read_as_text(&gloo_file::File::from(file)).await
            else {
                set_file_status.set(Some(Err(FileError::Unreadable(name).to_string())));
                return;
            };
            let mut result = Ok(0);
            catalog.update(|c| result = c.import(&text));
            match result {
                Ok(n) => {
                    let ids: Vec<String> =
                        catalog.with_untracked(|c| c.custom.iter().map(|t| t.id.clone()).collect());
                    selected.update(|s| {
                        for id in ids {
                            if !s.contains(&id) {
                                s.push(id);
                            }
                        }
                    });
                    set_file_status.set(Some(Ok(format!("Imported {n} task(s) from \"{name}\"."))));
                }
                Err(e) => {
                    set_file_status.set(Some(Err(format!("\"{name}\": {e} Nothing was changed."))))
                }
            }
        });
    };

    view! {
        <div class="row">
            <button type="button" data-testid=hooks::ADD_TASK on:click=move |_| on_add.run(())>"Add task"</button>
            <button type="button" data-testid=hooks::EXPORT_TASKS aria-label="Export tasks" on:click=export>"Export"</button>
            // A button-like label: the file input itself is only its target.
            <label class="button-label" aria-label="Import tasks">
                "Import"
                <input type="file" class="visually-hidden" accept=".json,application/json" data-testid=hooks::IMPORT_TASKS on:change=import />
            </label>
        </div>
        {move || file_status.get().map(|s| match s {
            Ok(m) => view! { <p class="hint" role="status" data-testid=hooks::TASKS_STATUS>{m}</p> }.into_any(),
            Err(e) => view! { <p class="field-error" role="alert" data-testid=hooks::TASKS_ERROR>{e}</p> }.into_any(),
        })}
    }
}

/// The form that edits or adds a task (while a draft is open).
#[component]
fn TaskForm(
    /// The task being edited: its original id (none for a new task) and
    /// the draft.
    draft: RwSignal<Option<Draft>>,
    /// Ids of the tasks that run (a saved new task is ticked).
    selected: RwSignal<Vec<String>>,
    /// Why the draft cannot be saved.
    form_error: RwSignal<Option<String>>,
) -> impl IntoView {
    let catalog = expect_context::<AppState>().tasks;
    let save = move || {
        let Some((original, task)) = draft.get_untracked() else {
            return;
        };
        let mut result = Ok(());
        catalog.update(|c| result = c.save(original.as_deref(), task.clone()));
        match result {
            Ok(()) => {
                let id = task.id.trim().to_string();
                if let Some(old) = original.filter(|o| *o != id && !is_builtin(o)) {
                    // A renamed task keeps its selection.
                    selected.update(|s| s.retain(|x| *x != old));
                }
                if !selected.with_untracked(|s| s.contains(&id)) && !is_builtin(&id) {
                    selected.update(|s| s.push(id));
                }
                draft.set(None);
            }
            // The draft stays as typed, with the reason next to it.
            Err(e) => form_error.set(Some(e.to_string())),
        }
    };
    let field = move |f: fn(&mut TaskDef, String)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            draft.update(|d| {
                if let Some((_, t)) = d {
                    f(t, v);
                }
            });
        }
    };
    let value = move |f: fn(&TaskDef) -> String| {
        move || draft.with(|d| d.as_ref().map(|(_, t)| f(t)).unwrap_or_default())
    };
    let editing_builtin = move || {
        draft.with(|d| {
            d.as_ref()
                .is_some_and(|(o, _)| o.as_deref().is_some_and(is_builtin))
        })
    };

    view! {
        <Show when=move || draft.with(Option::is_some)>
            <div class="task-form" data-testid=hooks::TASK_FORM role="group" aria-label="Edit task">
                <div class="row">
                    <label class="field small">
                        <span>"Id"</span>
                        <input type="text" data-testid=hooks::TASK_FORM_ID disabled=editing_builtin
                            prop:value=value(|t| t.id.clone()) on:input=field(|t, v| t.id = v) />
                    </label>
                    <label class="field">
                        <span>"Name"</span>
                        <input type="text" data-testid=hooks::TASK_FORM_LABEL
                            prop:value=value(|t| t.label.clone()) on:input=field(|t, v| t.label = v) />
                    </label>
                    <label class="field small">
                        <span>"Token limit"</span>
                        <input type="number" min="1" data-testid=hooks::TASK_FORM_MAX_TOKENS
                            prop:value=value(|t| t.max_tokens.to_string())
                            on:input=field(|t, v| t.max_tokens = v.trim().parse().unwrap_or(0)) />
                    </label>
                    <label class="field small" title="When not every request can start at once, higher priorities start first, whatever their expected duration.">
                        <span>"Priority (0–9, higher starts first)"</span>
                        <input type="number" min="0" max="9" data-testid=hooks::TASK_FORM_PRIORITY
                            prop:value=value(|t| t.priority.to_string())
                            on:input=field(|t, v| t.priority = v.trim().parse().unwrap_or(u8::MAX)) />
                    </label>
                </div>
                <label class="field">
                    <span>"System message"</span>
                    <textarea rows="2" data-testid=hooks::TASK_FORM_SYSTEM
                        prop:value=value(|t| t.system.clone()) on:input=field(|t, v| t.system = v)></textarea>
                </label>
                <label class="field">
                    <span>"Prompt ({text} is replaced by the input text, {language} by the target language)"</span>
                    <textarea rows="4" data-testid=hooks::TASK_FORM_PROMPT
                        prop:value=value(|t| t.prompt.clone()) on:input=field(|t, v| t.prompt = v)></textarea>
                </label>
                <Show when=move || draft.with(|d| d.as_ref().is_some_and(|(_, t)| schema_for(&t.id).is_some()))>
                    <label class="check">
                        <input type="checkbox" data-testid=hooks::TASK_FORM_STRUCTURED
                            prop:checked=move || draft.with(|d| d.as_ref().is_some_and(|(_, t)| t.structured))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                draft.update(|d| if let Some((_, t)) = d { t.structured = on; });
                            } />
                        <span>"Ask for structured output (JSON fields), falling back to text where refused"</span>
                    </label>
                </Show>
                {move || form_error.get().map(|e| view! {
                    <p class="field-error" role="alert" data-testid=hooks::TASK_FORM_ERROR>{e}</p>
                })}
                <div class="row">
                    <button type="button" class="primary" data-testid=hooks::TASK_FORM_SAVE on:click=move |_| save()>"Save task"</button>
                    <button type="button" data-testid=hooks::TASK_FORM_CANCEL on:click=move |_| draft.set(None)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}
