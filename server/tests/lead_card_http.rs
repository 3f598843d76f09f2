//! The lead card's stage and contact server functions over HTTP: each refusal answered
//! with its status and reason (the enrollment gate 409, a guarded change 428, an agent's
//! approval 403, bad input 4xx), and the successes the browser relies on.

mod common;

use common::{app_and_store, expect, pin_client, post, send, sign_in};
use http::StatusCode;

#[tokio::test]
async fn the_enrollment_gate_answers_with_reasons() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let (id, _, _) = pin_client(&store).await;
    let cases: Vec<(String, StatusCode, &str)> = vec![
        (
            format!("client_id={id}&to=enrolled&reason="),
            StatusCode::CONFLICT,
            "become Enrolled only once they have a security PIN",
        ),
        (
            format!("client_id={id}&to=new_lead&reason=+"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Say why the client moves back to New lead",
        ),
        (
            format!("client_id={id}&to=currently_enrolling&reason="),
            StatusCode::UNPROCESSABLE_ENTITY,
            "already at Currently enrolling",
        ),
        (
            format!("client_id={id}&to=graduated&reason="),
            StatusCode::BAD_REQUEST,
            "expected one of `new_lead`",
        ),
        (
            format!("client_id={id}&to=enrolled"),
            StatusCode::BAD_REQUEST,
            "missing field `reason`",
        ),
        (
            "client_id=999999&to=enrolled&reason=".into(),
            StatusCode::NOT_FOUND,
            "Client",
        ),
    ];
    for (form, status, needle) in cases {
        let answer = send(&app, post("/api/move_client_stage", &form, Some(&cookie))).await;
        expect(&answer, status, needle, &form);
    }
    let back = send(
        &app,
        post(
            "/api/move_client_stage",
            &format!("client_id={id}&to=new_lead&reason=wrong+brand+chosen"),
            Some(&cookie),
        ),
    )
    .await;
    expect(
        &back,
        StatusCode::OK,
        r#""stage":"new_lead""#,
        "back with a reason",
    );
}

#[tokio::test]
async fn the_contact_editor_answers_with_reasons() {
    let (app, store) = app_and_store().await;
    let cookie = sign_in(&app).await;
    let (id, owner, stranger) = pin_client(&store).await;
    let mobile = owner
        .mobile_phone
        .clone()
        .unwrap_or_default()
        .replace('+', "%2B");
    let edit = |email: &str, role: &str| {
        format!(
            "client_id={id}&contact_id={}&name=Rachel+Cohen&role={role}&email={email}&mobile={mobile}&reason=",
            owner.id
        )
    };
    let cases: Vec<(&str, String, StatusCode, &str)> = vec![
        (
            "/api/edit_contact",
            edit("evil%40example.net", "owner"),
            StatusCode::PRECONDITION_REQUIRED,
            "Changing an Owner or Authorized Representative needs",
        ),
        (
            "/api/edit_contact",
            edit("not-an-email", "owner"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "an email address needs an @",
        ),
        (
            "/api/edit_contact",
            edit("a%40b.co", "ceo"),
            StatusCode::BAD_REQUEST,
            "expected one of `owner`",
        ),
        (
            "/api/add_contact",
            format!("client_id={id}&name=&role=accountant&email=a%40b.co&mobile=&reason="),
            StatusCode::UNPROCESSABLE_ENTITY,
            "enter the contact's name",
        ),
        (
            "/api/add_contact",
            format!("client_id={id}&name=Al&role=accountant&email=a%40b.co&mobile=555&reason="),
            StatusCode::UNPROCESSABLE_ENTITY,
            "a mobile number must start with +",
        ),
        (
            "/api/remove_contact",
            format!("client_id={id}&contact_id={}&reason=", stranger.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "this client",
        ),
        (
            "/api/remove_contact",
            format!("client_id={id}&contact_id={}&reason=", owner.id),
            StatusCode::UNPROCESSABLE_ENTITY,
            "is the last Owner or Authorized Representative",
        ),
        (
            "/api/approve_cooling_off",
            format!(
                "client_id={id}&contact_id={}&reason=owner+confirmed",
                owner.id
            ),
            StatusCode::FORBIDDEN,
            "Only an admin",
        ),
    ];
    for (path, form, status, needle) in cases {
        let answer = send(&app, post(path, &form, Some(&cookie))).await;
        expect(&answer, status, needle, &format!("{path} {form}"));
    }
    let added = send(
        &app,
        post(
            "/api/add_contact",
            &format!("client_id={id}&name=Sam+Ortiz&role=payroll_contact&email=sam%40example.com&mobile=%2B1+614+555+0100&reason="),
            Some(&cookie),
        ),
    )
    .await;
    expect(
        &added,
        StatusCode::OK,
        r#""mobile_phone":"+16145550100""#,
        "a payroll contact",
    );
}
