//! The site's files and which ones a page loads: the client PIN page names only its own
//! content-hashed bundle (with the page's nonce), staff pages hydrate with the app's, and
//! `/pkg` answers with the precompressed file the browser accepts and a cache lifetime by
//! name. A `hash-files` build's stylesheet and scripts are linked by their hashed names.

mod common;

use std::path::PathBuf;

use common::{app_and_store, get, link_token, pin_client, post, send, sign_in};
use http::{Request, StatusCode, header};
use leptos::config::LeptosOptions;

const HASH: &str = "0123456789abcdef0123";

/// A site folder as a release build leaves it: the app's stylesheet and the client bundle,
/// each with a brotli copy, and the bundle's hash file.
fn site(test: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("janus-assets-{}-{test}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for (name, body) in [
        ("janus.css".to_owned(), "body{}".to_owned()),
        ("janus.css.br".to_owned(), "brotli css".to_owned()),
        (format!("pin-page.{HASH}.js"), "export default 1".to_owned()),
        (format!("pin-page.{HASH}.wasm"), "wasm".repeat(100)),
        (format!("pin-page.{HASH}.wasm.br"), "small".to_owned()),
        ("pin-page.hash".to_owned(), format!("{HASH}\n")),
    ] {
        std::fs::write(pkg.join(name), body).unwrap();
    }
    root
}

/// The router over demo data, serving the site folder made for `test`.
async fn app_on_site(test: &str) -> (axum::Router, janus_store::Store) {
    let (_, store) = app_and_store().await;
    let options = LeptosOptions::builder()
        .output_name("janus")
        .site_root(site(test).to_string_lossy().into_owned())
        .build();
    (server::router::app(store.clone(), options), store)
}

const APP_HASH: &str = "Qm9vdHN0cmFwcGVkX2hh";

/// The same site as a `hash-files` build leaves it: the app's own files named by their
/// content, and the hashes recorded in a hash file.
async fn app_on_hashed_site(test: &str) -> (axum::Router, janus_store::Store) {
    let (_, store) = app_and_store().await;
    let root = site(test);
    for ext in ["css", "js", "wasm"] {
        std::fs::write(root.join(format!("pkg/janus.{APP_HASH}.{ext}")), ext).unwrap();
    }
    let hashes = root.join("hash.txt");
    std::fs::write(
        &hashes,
        format!("js: {APP_HASH}\nwasm: {APP_HASH}\ncss: {APP_HASH}\n"),
    )
    .unwrap();
    let options = LeptosOptions::builder()
        .output_name("janus")
        .site_root(root.to_string_lossy().into_owned())
        .hash_files(true)
        // An absolute path: read there rather than beside the test binary.
        .hash_file(std::sync::Arc::<str>::from(hashes.to_string_lossy()))
        .build();
    (server::router::app(store.clone(), options), store)
}

fn nonce_of(csp: &str) -> &str {
    csp.split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the policy")
}

#[tokio::test]
async fn the_client_page_loads_only_its_own_bundle_and_staff_pages_hydrate() {
    let (app, store) = app_on_site("pages").await;
    let cookie = sign_in(&app).await;
    let (client_id, owner, _) = pin_client(&store).await;
    let sent = send(
        &app,
        post(
            "/api/send_pin_link",
            &format!(
                "client_id={client_id}&contact_id={}&purpose=setup",
                owner.id
            ),
            Some(&cookie),
        ),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let token = link_token(&store, &owner.email).await;

    let page = send(&app, get(&format!("/pin/{token}"), None)).await;
    assert_eq!(page.status, StatusCode::OK);
    let nonce = nonce_of(
        page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap(),
    );
    let scripts: Vec<&str> = page.body.split("<script").skip(1).collect();
    for script in &scripts {
        assert!(
            script.starts_with(&format!(" nonce=\"{nonce}\""))
                || script.starts_with(&format!(" type=\"module\" nonce=\"{nonce}\"")),
            "every script carries the nonce: <script{script}"
        );
    }
    let loaders: Vec<&&str> = scripts.iter().filter(|s| s.contains("import ")).collect();
    assert_eq!(loaders.len(), 1, "{}", page.body);
    assert!(
        loaders[0].contains(&format!("import init from \"/pkg/pin-page.{HASH}.js\""))
            && loaders[0].contains(&format!("\"/pkg/pin-page.{HASH}.wasm\"")),
        "{}",
        loaders[0]
    );
    assert!(
        !page.body.contains("/pkg/janus.js"),
        "no staff bundle: {}",
        page.body
    );
    assert!(
        page.body.contains("id=\"pin-form\""),
        "the form is rendered on the server"
    );

    let dashboard = send(&app, get("/", Some(&cookie))).await;
    assert!(
        dashboard.body.contains("/pkg/janus.js"),
        "{}",
        dashboard.body
    );
    assert!(!dashboard.body.contains("pin-page."), "{}", dashboard.body);
}

#[tokio::test]
async fn package_files_come_precompressed_and_hashed_names_are_kept_for_good() {
    let (app, _) = app_on_site("files").await;
    let fetch = |path: String, encodings: &'static str| {
        Request::get(path)
            .header(http::header::HOST, common::HOST)
            .header(header::ACCEPT_ENCODING, encodings)
            .body(axum::body::Body::empty())
            .unwrap()
    };

    let wasm = send(
        &app,
        fetch(format!("/pkg/pin-page.{HASH}.wasm"), "gzip, br"),
    )
    .await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(wasm.body, "small", "the brotli copy as it is");
    assert_eq!(wasm.headers[header::CONTENT_ENCODING], "br");
    assert_eq!(wasm.headers[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(
        wasm.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(wasm.headers[header::VARY], "accept-encoding");

    // A browser that takes no brotli gets the file itself.
    let plain = send(
        &app,
        fetch(format!("/pkg/pin-page.{HASH}.wasm"), "identity"),
    )
    .await;
    assert_eq!(plain.body, "wasm".repeat(100));
    assert!(!plain.headers.contains_key(header::CONTENT_ENCODING));

    // No hash in the name: it may change under it, so browsers ask again each time.
    let css = send(&app, fetch("/pkg/janus.css".into(), "br")).await;
    assert_eq!(css.body, "brotli css");
    assert_eq!(css.headers[header::CACHE_CONTROL], "no-cache");

    // Asked again with its date: not modified, and still to be revalidated next time.
    let again = Request::get("/pkg/janus.css")
        .header(http::header::HOST, common::HOST)
        .header(
            header::IF_MODIFIED_SINCE,
            css.headers[header::LAST_MODIFIED].clone(),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    let again = send(&app, again).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers[header::CACHE_CONTROL], "no-cache");

    let missing = send(&app, fetch("/pkg/nothing.js".into(), "br")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // Not a file: nothing to keep, like every answer that chose no lifetime.
    assert_eq!(missing.headers[header::CACHE_CONTROL], "no-store");
}

#[tokio::test]
async fn a_hashed_build_is_linked_by_its_hashed_names_and_kept_for_good() {
    let (app, _) = app_on_hashed_site("hashed").await;
    let login = send(&app, get("/login", None)).await;
    let stylesheet = format!("href=\"/pkg/janus.{APP_HASH}.css\"");
    assert!(login.body.contains(&stylesheet), "{}", login.body);
    assert!(!login.body.contains("/pkg/janus.css"), "{}", login.body);
    assert!(
        login.body.contains(&format!("/pkg/janus.{APP_HASH}.js")),
        "the app's script by its hashed name: {}",
        login.body
    );

    let css = send(&app, get(&format!("/pkg/janus.{APP_HASH}.css"), None)).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.body, "css");
    assert_eq!(
        css.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
}
