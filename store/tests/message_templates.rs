//! Snapshots of every message template, HTML and text, for every brand in scope, rendered
//! from the shipped `templates/messages/` with the preview page's sample data. A change to
//! a template shows here line by line; accept a deliberate one with
//! `INSTA_UPDATE=always cargo test -p janus-store --test message_templates` and commit the
//! `.snap` files.

mod common;

use common::test_store;

#[tokio::test]
async fn every_template_for_every_brand() {
    let t = test_store().await;
    t.store.seed_demo().await.unwrap();
    let brands = t.store.settings.brands.in_scope.clone();
    assert_eq!(brands.len(), 4);
    for slug in brands {
        let previews = t.store.message_previews(Some(&slug)).await.unwrap();
        assert_eq!(previews.brand.slug, slug);
        assert_eq!(previews.brands.len(), 4);
        assert_eq!(previews.messages.len(), 10);
        for p in previews.messages {
            let mut shown = String::new();
            if !p.subject.is_empty() {
                shown.push_str(&format!("Subject: {}\n\n", p.subject));
            }
            shown.push_str(&format!("----- text -----\n{}\n", p.text.trim_end()));
            if let Some(html) = &p.html {
                shown.push_str(&format!("----- html -----\n{html}\n"));
            }
            insta::assert_snapshot!(format!("{}__{slug}", p.folder), shown);
        }
    }
}

#[tokio::test]
async fn brands_outside_the_workflow_have_no_previews() {
    let t = test_store().await;
    t.store.seed_demo().await.unwrap();
    let first = t.store.message_previews(None).await.unwrap();
    assert_eq!(first.brand.slug, "cornerstone", "the first brand in scope");
    let refused = t
        .store
        .message_previews(Some("summit-payroll"))
        .await
        .unwrap_err();
    assert_eq!(refused, janus_domain::AppError::NotFound("Brand".into()));
}

#[test]
fn a_template_edited_into_a_broken_state_is_refused_naming_the_file() {
    let shipped = common::templates_dir();
    let dir = std::env::temp_dir().join(format!("janus-templates-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let entry = entry.unwrap();
        let to = dir.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&to).unwrap();
            for f in std::fs::read_dir(entry.path()).unwrap() {
                let f = f.unwrap();
                std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
            }
        } else {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    janus_store::templates::load(&dir, "https://janus.example").expect("a faithful copy loads");

    // Someone rewords the code SMS and loses the code; someone else deletes a subject.
    std::fs::write(
        dir.join("code-sms/body.txt"),
        "Your code is on its way. Questions? {{ brand.support_phone }}",
    )
    .unwrap();
    std::fs::remove_file(dir.join("code-email/subject.txt")).unwrap();
    let Err(problem) = janus_store::templates::load(&dir, "https://janus.example") else {
        panic!("a broken template must be refused");
    };
    assert!(
        problem.contains("code-email/subject.txt: missing"),
        "{problem}"
    );
    std::fs::write(dir.join("code-email/subject.txt"), "{{ brand.name }} code").unwrap();
    let Err(problem) = janus_store::templates::load(&dir, "https://janus.example") else {
        panic!("a broken template must be refused");
    };
    assert!(
        problem.ends_with("code-sms/body.txt: must show the code ({{ code }})"),
        "{problem}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
