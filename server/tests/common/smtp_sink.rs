//! A small SMTP server for the fault tests. It accepts every message, except that it can be
//! told to *hold* the next one: it reads the whole message and then never answers, the
//! moment a sender is most exposed. A held message that loses its connection was never
//! accepted, as with a real server, and is discarded.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct State {
    /// Every accepted message: its recipients, then its data.
    accepted: Vec<(Vec<String>, String)>,
    hold_next: bool,
    holding: usize,
}

#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpSink {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(session(socket, shared.clone()));
            }
        });
        Self { port, state }
    }

    /// The next message is read in full and never answered.
    pub fn hold_next(&self) {
        self.state.lock().unwrap().hold_next = true;
    }

    pub fn holding(&self) -> usize {
        self.state.lock().unwrap().holding
    }

    pub fn accepted(&self) -> Vec<(Vec<String>, String)> {
        self.state.lock().unwrap().accepted.clone()
    }
}

async fn session(socket: TcpStream, state: Arc<Mutex<State>>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read).lines();
    let mut recipients = Vec::new();
    if write.write_all(b"220 sink ESMTP\r\n").await.is_err() {
        return;
    }
    while let Ok(Some(line)) = lines.next_line().await {
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            b"250 sink\r\n"
        } else if upper.starts_with("MAIL FROM") {
            recipients.clear();
            b"250 ok\r\n"
        } else if let Some(to) = upper.strip_prefix("RCPT TO:") {
            recipients.push(to.trim().trim_matches(['<', '>']).to_ascii_lowercase());
            b"250 ok\r\n"
        } else if upper == "DATA" {
            if write.write_all(b"354 end with .\r\n").await.is_err() {
                return;
            }
            let mut data = String::new();
            loop {
                match lines.next_line().await {
                    Ok(Some(l)) if l == "." => break,
                    Ok(Some(l)) => {
                        data.push_str(&l);
                        data.push('\n');
                    }
                    _ => return,
                }
            }
            let hold = std::mem::take(&mut state.lock().unwrap().hold_next);
            if hold {
                state.lock().unwrap().holding += 1;
                // Wait for the sender to go away; the message was never accepted.
                while let Ok(Some(_)) = lines.next_line().await {}
                state.lock().unwrap().holding -= 1;
                return;
            }
            state
                .lock()
                .unwrap()
                .accepted
                .push((std::mem::take(&mut recipients), data));
            b"250 queued\r\n"
        } else if upper == "QUIT" {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            // RSET, NOOP and anything else a client checks the connection with.
            b"250 ok\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
