//! Entry point: mounts the app; everything else lives in the library.

fn main() {
    console_error_panic_hook::set_once();
    // Mounted in a task of its own: the task that ends the wasm's download
    // has already decoded and instantiated it (tens of ms on a slow
    // machine), and start-up should not add the first render to it.
    gloo_timers::callback::Timeout::new(0, || {
        leptos::mount::mount_to_body(fanout::app::App);
    })
    .forget();
}
