//! A yew app of a brand's own, with the survey as one of its components: `nps-widget` is a
//! crate dependency, and `Survey` takes a typed config (keys from the widget's key table).
//! `cargo xtask test` builds it for wasm32, binds it, and answers its survey in Chromium
//! (`e2e/tests/yew_host.rs`).

#[cfg(target_arch = "wasm32")]
mod app {
    use nps_widget::config::{keys, Mode};
    use nps_widget::web::{Survey, SurveyConfig};
    use nps_widget::words::Locale;
    use yew::prelude::*;

    #[function_component]
    pub fn App() -> Html {
        let error = use_state(String::new);
        let config = SurveyConfig::new("/api/responses")
            .survey("yew-host")
            .locale(Locale::En)
            .mode(Mode::Inline)
            .context("store", "SZ-FT")
            .set(keys::BRAND, "Star Motors")
            .set(keys::ONCE, false);
        let on_error = {
            let error = error.clone();
            Callback::from(move |e: String| error.set(e))
        };
        html! {
            <main>
                <h1>{ "Your service visit" }</h1>
                <p>{ "Thank you for servicing your car with us." }</p>
                <Survey {config} class="survey" {on_error} />
                if !error.is_empty() {
                    <p role="alert">{ (*error).clone() }</p>
                }
            </main>
        }
    }
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    yew::Renderer::<app::App>::new().render();
}
