//! The real server binary as a child process, for the fault tests: started with settings
//! from the environment (as an operator would), its output kept in a log file, and killed
//! with SIGKILL when a test wants it dead mid-work.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace root: `Leptos.toml` and `templates/` are found from there.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Where the processes of one test write their output; kept under `target/` so the
/// after-run secret search (scripts/test.sh) reads them too.
pub fn log_dir() -> PathBuf {
    let dir = workspace_root().join("target/test-logs");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub struct ServerProcess {
    child: Child,
    pub base: String,
    pub log: PathBuf,
}

/// The settings every fault test shares, as `JANUS_*` variables: its own port, the
/// cheapest argon2 the settings allow, and whatever the test adds.
pub fn server_env(
    port: u16,
    database_url: &str,
    extra: &[(&str, String)],
) -> Vec<(String, String)> {
    let mut env = vec![
        ("DATABASE_URL".to_owned(), database_url.to_owned()),
        (
            "JANUS_SITE__ADDRESS".to_owned(),
            format!("127.0.0.1:{port}"),
        ),
        (
            "JANUS_SITE__PUBLIC_URL".to_owned(),
            format!("http://127.0.0.1:{port}"),
        ),
        ("JANUS_ARGON2__MEMORY_KIB".to_owned(), "7168".to_owned()),
        ("JANUS_ARGON2__ITERATIONS".to_owned(), "1".to_owned()),
        ("JANUS_ARGON2__PARALLELISM".to_owned(), "1".to_owned()),
        ("LEPTOS_OUTPUT_NAME".to_owned(), "janus".to_owned()),
        ("LEPTOS_SITE_ROOT".to_owned(), "target/site".to_owned()),
        ("LEPTOS_SITE_PKG_DIR".to_owned(), "pkg".to_owned()),
        ("RUST_LOG".to_owned(), "info".to_owned()),
    ];
    env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    env
}

fn command(env: &[(String, String)], log: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    cmd.current_dir(workspace_root())
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out);
    cmd
}

/// Runs `server seed-demo` to completion.
pub fn seed_demo(env: &[(String, String)], log: &Path) {
    let status = command(env, log).arg("seed-demo").status().unwrap();
    assert!(status.success(), "seed-demo failed; see {}", log.display());
}

impl ServerProcess {
    /// Starts `server serve` and waits until it answers `/health`.
    pub async fn start(env: &[(String, String)], log: &Path) -> Self {
        let port = env
            .iter()
            .find(|(k, _)| k == "JANUS_SITE__ADDRESS")
            .and_then(|(_, v)| v.rsplit(':').next())
            .unwrap()
            .to_owned();
        let child = command(env, log).arg("serve").spawn().unwrap();
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log: log.to_owned(),
        };
        let client = client();
        let started = Instant::now();
        loop {
            if let Ok(r) = client.get(format!("{}/health", server.base)).send().await
                && r.status() == 200
            {
                return server;
            }
            if let Some(status) = server.child.try_wait().unwrap() {
                panic!("the server exited ({status}); see {}", server.log.display());
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not answer within a minute; see {}",
                server.log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// SIGKILL: no shutdown code runs, as when a machine loses power.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_rss_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status");
        kib * 1024
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Signs in and returns the `Cookie` value to send back.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let r = client()
            .post(format!("{}/api/sign_in", self.base))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "sign-in: {}",
            r.status()
        );
        let cookie = r
            .headers()
            .get(http::header::SET_COOKIE)
            .expect("a session cookie")
            .to_str()
            .unwrap();
        let cookie = cookie.split(';').next().unwrap().to_owned();
        super::remember_secret(cookie.split_once('=').map_or("", |(_, v)| v));
        cookie
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that shows redirects instead of following them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Polls `check` every 100 ms until it holds, for at most `limit`.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
