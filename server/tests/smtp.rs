//! Email delivery against a real SMTP server process (Debian's python3-aiosmtpd, which
//! stores what it receives in a maildir): both parts and the link arrive; and with the
//! server down, then up, nothing is lost and nothing is sent twice.

mod common;

use janus_domain::security::DeliveryStatus;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use janus_domain::clock::FixedClock;
use janus_domain::security::LinkPurpose;
use janus_domain::settings::{MailTransport, SmtpSecurity};
use janus_store::Store;
use janus_store::entity::{contact, message};
use janus_store::outbox;
use janus_store::transports::Transports;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// An aiosmtpd process; killed when dropped.
struct SmtpServer {
    child: Child,
    maildir: PathBuf,
}

impl SmtpServer {
    fn start(port: u16, maildir: &Path) -> Self {
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3-aiosmtpd (scripts/setup.sh --test installs it)");
        let mut child = child;
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Self {
                    child,
                    maildir: maildir.to_owned(),
                };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the SMTP server did not start on port {port}");
    }

    /// Every message received so far, decoded from quoted-printable.
    fn received(&self) -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(self.maildir.join("new")) else {
            return vec![];
        };
        dir.map(|f| decode_quoted_printable(&std::fs::read_to_string(f.unwrap().path()).unwrap()))
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let mut out = Vec::with_capacity(joined.len());
    let bytes = joined.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct World {
    store: Store,
    clock: Arc<FixedClock>,
    transports: Transports,
    owner: contact::Model,
}

async fn world(port: u16) -> World {
    let mut settings = common::test_settings();
    settings.mail.transport = MailTransport::Smtp;
    settings.mail.smtp_host = "127.0.0.1".into();
    settings.mail.smtp_port = port;
    settings.mail.smtp_security = SmtpSecurity::Plain;
    let transports = Transports::from_settings(&settings, Default::default()).unwrap();
    let common::DeliveryWorld {
        store,
        clock,
        client_id,
        owner,
        me,
    } = common::delivery_world(settings).await;
    store
        .send_pin_link(client_id, owner.id, LinkPurpose::Setup, &me)
        .await
        .unwrap();
    World {
        store,
        clock,
        transports,
        owner,
    }
}

/// The email's row, its text opened (bodies are sealed at rest).
async fn email_row(w: &World) -> message::Model {
    let mut m = message::Entity::find()
        .filter(message::Column::Channel.eq("email"))
        .one(&w.store.db)
        .await
        .unwrap()
        .unwrap();
    m.text_body = w.store.sealer.open(&m.text_body).unwrap();
    common::remember_secrets_in(&m.text_body);
    m
}

#[tokio::test]
async fn a_setup_link_email_arrives_with_both_parts_and_the_link() {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("janus-smtp-{port}"));
    let smtp = SmtpServer::start(port, &dir);
    let w = world(port).await;

    assert_eq!(
        server::delivery::deliver_due(&w.store, &w.transports)
            .await
            .unwrap(),
        2
    );
    let row = email_row(&w).await;
    assert_eq!(row.status, DeliveryStatus::Sent, "{:?}", row.last_error);

    let received = smtp.received();
    assert_eq!(
        received.len(),
        1,
        "the SMS went to the dev mailbox, the email here"
    );
    let mail = &received[0];
    let link_at = row.text_body.find("http://").unwrap();
    let link: String = row.text_body[link_at..]
        .split_whitespace()
        .next()
        .unwrap()
        .into();
    for needle in [
        format!("To: {}", w.owner.email),
        "Subject: Compeo: set your security PIN".into(),
        "multipart/alternative".into(),
        "Content-Type: text/plain".into(),
        "Content-Type: text/html".into(),
        format!("href=\"{link}\""),
        format!("Set my security PIN: {link}"),
    ] {
        assert!(mail.contains(&needle), "{needle} missing from:\n{mail}");
    }
    drop(smtp);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn with_the_smtp_server_down_then_up_nothing_is_lost_or_sent_twice() {
    let port = free_port();
    let dir = std::env::temp_dir().join(format!("janus-smtp-{port}"));
    let w = world(port).await;

    // Down: the email waits, with the reason; the SMS (dev mailbox) goes.
    server::delivery::deliver_due(&w.store, &w.transports)
        .await
        .unwrap();
    let waiting = email_row(&w).await;
    assert_eq!(
        (waiting.status, waiting.attempts),
        (DeliveryStatus::Queued, 1)
    );
    assert!(
        waiting
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("could not be reached")
    );

    // Up: after its backoff, delivered exactly once, however often the worker runs.
    let smtp = SmtpServer::start(port, &dir);
    assert_eq!(
        server::delivery::deliver_due(&w.store, &w.transports)
            .await
            .unwrap(),
        0,
        "not due yet"
    );
    w.clock.advance(outbox::backoff(1));
    assert_eq!(
        server::delivery::deliver_due(&w.store, &w.transports)
            .await
            .unwrap(),
        1
    );
    for _ in 0..3 {
        w.clock.advance(chrono::Duration::minutes(10));
        assert_eq!(
            server::delivery::deliver_due(&w.store, &w.transports)
                .await
                .unwrap(),
            0
        );
    }
    assert_eq!(email_row(&w).await.status, DeliveryStatus::Sent);
    assert_eq!(smtp.received().len(), 1);
    drop(smtp);
    let _ = std::fs::remove_dir_all(dir);
}
