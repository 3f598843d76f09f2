//! The delivery status of the messages carrying the current link or code (channel, masked
//! destination, queued / sent / failed with the reason) and *Send again*.

use janus_domain::ids::{ClientId, ContactId};
use janus_domain::messages::Channel;
use janus_domain::security::{DeliveryStatus, DeliveryView, LinkPurpose};
use leptos::prelude::*;

use super::{Feedback, ModalActions, at};
use crate::api::security::{send_pin_link, send_two_step_code};

/// What *Send again* sends: a new link or code to the same contact. Neither secret can be
/// sent twice (only their hashes are kept), so the earlier one stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Resend {
    Link {
        purpose: LinkPurpose,
        contact_id: ContactId,
    },
    Code {
        contact_id: ContactId,
    },
}

#[component]
pub(super) fn Deliveries(
    client_id: ClientId,
    /// Names the list, as in "Setup link messages".
    label: &'static str,
    deliveries: Vec<DeliveryView>,
    resend: Resend,
) -> impl IntoView {
    let actions = ModalActions::of_modal();
    let email_only = !deliveries.iter().any(|d| d.channel == Channel::Sms);
    let send_again = move |_| {
        let done = match resend {
            Resend::Link { .. } => "A new link is on its way; the earlier one no longer works.",
            Resend::Code { .. } => "A new code is on its way; the earlier one no longer works.",
        };
        let call = async move {
            match resend {
                Resend::Link {
                    purpose,
                    contact_id,
                } => send_pin_link(client_id, contact_id, purpose).await,
                Resend::Code { contact_id } => send_two_step_code(client_id, contact_id).await,
            }
        };
        actions.clear();
        actions.run(call, move |answer| {
            Some(match answer {
                Ok(_) => Feedback::Success(done.into()),
                Err(e) => Feedback::Error(e),
            })
        });
    };
    let again_label = match resend {
        Resend::Link { .. } => "Send a new link",
        Resend::Code { .. } => "Send a new code",
    };
    view! {
        <div class="deliveries" data-testid="deliveries">
            <table class="delivery-list" aria-label=label>
                <tbody>
                    {deliveries.into_iter().map(|d| {
                        let css = match d.status {
                            DeliveryStatus::Sent => "outcome outcome-ok",
                            DeliveryStatus::Queued => "outcome outcome-wait",
                            DeliveryStatus::Failed | DeliveryStatus::Expired => "outcome outcome-fail",
                        };
                        let detail = match (d.status, &d.error) {
                            (DeliveryStatus::Sent, _) => format!("at {}", at(d.at)),
                            (DeliveryStatus::Queued, Some(e)) => format!("retrying after attempt {}: {e}", d.attempts),
                            (DeliveryStatus::Queued, None) => "waiting to go out".into(),
                            (_, Some(e)) => e.clone(),
                            (DeliveryStatus::Expired, None) => "not delivered before it expired".into(),
                            (DeliveryStatus::Failed, None) => "could not be delivered".into(),
                        };
                        view! {
                            <tr data-channel=d.channel.label()>
                                <th scope="row">{d.channel.label()}</th>
                                <td>{d.destination}</td>
                                <td><span class=css data-testid="delivery-status">{d.status.label()}</span></td>
                                <td class="muted small">{detail}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {email_only.then(|| view! {
                <p class="muted small" data-testid="email-only">"No mobile number on file: sent by email only."</p>
            })}
            <button type="button" class="button button-small" disabled=move || actions.busy() on:click=send_again>
                {again_label}
            </button>
        </div>
    }
}
