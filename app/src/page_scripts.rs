//! Which files a page loads. Every page links the app's stylesheet under its content-hashed
//! name (cargo-leptos `hash-files`), so browsers may keep it for good. Staff pages hydrate
//! with the app's WebAssembly bundle. The client pages (`routes::Access::Client`, the PIN
//! pages clients open on their phones) are rendered whole on the
//! server and load only their own small bundle, the `pin_page` crate: it runs the shared
//! PIN rules as the client types, at a twentieth of the app bundle's weight.
//!
//! That bundle is built after the app (`scripts/build-pin-page.sh`), under a name carrying
//! its content hash so it can be cached for good; the hash is in `pin-page.hash` beside it.

use leptos::prelude::*;

/// Who the page being rendered is for (`routes.rs`), from the request's path.
#[cfg(feature = "ssr")]
pub fn page_access() -> crate::routes::Access {
    let path = use_context::<http::request::Parts>()
        .map(|parts| parts.uri.path().to_owned())
        .unwrap_or_default();
    crate::routes::access(&path)
}

/// The stem of the client page bundle's files, `pin-page.<hash>`, read from the site's
/// package folder; `None` (the page then works as a plain form) when it was not built.
#[cfg(feature = "ssr")]
pub fn pin_page_bundle(options: &LeptosOptions) -> Option<String> {
    let manifest = std::path::Path::new(options.site_root.as_ref())
        .join(options.site_pkg_dir.as_ref())
        .join("pin-page.hash");
    match std::fs::read_to_string(&manifest) {
        Ok(hash) if is_content_hash(hash.trim()) => Some(format!("pin-page.{}", hash.trim())),
        Ok(_) => {
            tracing::warn!(path = %manifest.display(), "the client page bundle's hash is unreadable");
            None
        }
        Err(_) => {
            tracing::warn!(path = %manifest.display(), "the client page bundle was not built; the page works without it");
            None
        }
    }
}

/// Where cargo-leptos records the content hashes of the app's files (`css: <hash>` and so
/// on): beside the server binary, where Leptos's own `HydrationScripts` reads them.
#[cfg(feature = "ssr")]
pub fn hash_file(options: &LeptosOptions) -> std::path::PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(std::path::Path::to_path_buf))
        .unwrap_or_default()
        .join(options.hash_file.as_ref())
}

/// The app's stylesheet: `/pkg/janus.<hash>.css` when the build hashed its files, else
/// `/pkg/janus.css`. Read on each call, as `HydrationScripts` reads the scripts' hashes, so
/// a rebuilt site is linked without a restart.
#[cfg(feature = "ssr")]
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    let mut name = options.output_name.to_string();
    if options.hash_files {
        let hashes = std::fs::read_to_string(hash_file(options)).unwrap_or_default();
        match hashes
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(kind, _)| kind.trim() == "css")
            .map(|(_, hash)| hash.trim())
        {
            Some(hash) if is_content_hash(hash) => name = format!("{name}.{hash}"),
            _ => {
                tracing::warn!(path = %hash_file(options).display(), "no stylesheet hash recorded; linking the unhashed name")
            }
        }
    }
    format!("/{}/{name}.css", options.site_pkg_dir)
}

/// Whether `s` can be part of a file name we serve as content-addressed.
pub fn is_content_hash(s: &str) -> bool {
    // cargo-leptos's placeholder for a name not yet hashed is all underscores.
    s.len() >= 16
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && s.bytes().any(|b| b.is_ascii_alphanumeric())
}

/// The app's stylesheet link, in the document head the server renders around every page.
#[component]
pub fn AppStylesheet(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let href = stylesheet_href(&options);
    #[cfg(not(feature = "ssr"))]
    let href = format!("/{}/{}.css", options.site_pkg_dir, options.output_name);
    view! { <link rel="stylesheet" id="leptos" href=href /> }
}

/// The scripts in the document head for the page being rendered.
#[component]
pub fn PageScripts(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if page_access() == crate::routes::Access::Client {
            let start = pin_page_bundle(&options).map(|stem| {
                let pkg = options.site_pkg_dir.clone();
                view! {
                    <link rel="modulepreload" href=format!("/{pkg}/{stem}.js") />
                    <script
                        type="module"
                        nonce=leptos::nonce::use_nonce()
                        inner_html=format!("import init from \"/{pkg}/{stem}.js\"; init({{ module_or_path: \"/{pkg}/{stem}.wasm\" }});")
                    ></script>
                }
            });
            return start.into_any();
        }
    }
    view! {
        <AutoReload options=options.clone() />
        <HydrationScripts options />
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hashes_are_long_and_plain() {
        assert!(is_content_hash("3f9a0c1d2e4b5a6978"));
        assert!(is_content_hash("Xy_-0123456789abcdef"));
        assert!(!is_content_hash("short"));
        assert!(!is_content_hash("______________________"));
        assert!(!is_content_hash("../../etc/passwd/aaaaaaaa"));
    }
}
