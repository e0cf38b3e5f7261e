//! Test harness: one mock gateway process per test binary, a session per test.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use routerkit::{Client, ClientBuilder};
use serde_json::Value;

pub const TEST_KEY: &str = "sk-test-conformance-key";

pub struct Mock {
    pub url: String,
    pub child: Child,
}

/// The mock gateway's binary: `$ROUTERKIT_MOCK` if set, else `routerkit-mock` in this test
/// binary's profile directory (target/debug/deps/<test> -> target/debug/routerkit-mock).
/// `cargo test -p routerkit` builds only this crate's targets, so on a fresh clone the mock is
/// not there yet: the first test that needs it builds it, once per test binary, with the same
/// cargo, target directory and profile.
fn mock_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(path) = std::env::var_os("ROUTERKIT_MOCK") {
            return PathBuf::from(path);
        }
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe.parent().unwrap().parent().unwrap();
        let bin = profile_dir.join(format!("routerkit-mock{}", std::env::consts::EXE_SUFFIX));
        if !bin.exists() {
            build_mock(profile_dir);
        }
        assert!(
            bin.exists(),
            "{} is missing after building routerkit-mock",
            bin.display()
        );
        bin
    })
    .clone()
}

/// Runs `cargo build -p routerkit-mock` into the target directory above `profile_dir`.
fn build_mock(profile_dir: &std::path::Path) {
    // Cargo sets CARGO for the test binaries it runs; a binary started by hand falls back to the
    // cargo that compiled it.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| env!("CARGO").into());
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "-p", "routerkit-mock", "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(profile_dir.parent().unwrap());
    // target/debug is the dev (and test) profile; any other directory is named after its profile.
    match profile_dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") => {}
        Some(profile) => {
            cmd.args(["--profile", profile]);
        }
        None => panic!("unexpected test binary location {}", profile_dir.display()),
    }
    let status = cmd.status().expect("run cargo build -p routerkit-mock");
    assert!(status.success(), "cargo build -p routerkit-mock failed: {status}");
}

/// Starts a mock gateway with `args` after `--port 0 --exit-on-stdin-close`; its URL is its first stdout line.
/// The stdin pipe stays open in the child: dropping the `Mock` (or the test binary exiting) closes it
/// and the mock exits too.
pub fn start_mock(args: &[&str]) -> Mock {
    let mut child = Command::new(mock_binary())
        .args(["--port", "0", "--exit-on-stdin-close"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start routerkit-mock");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    Mock {
        url: line.trim().to_owned(),
        child,
    }
}

/// The mock gateway shared by every test of a test binary.
pub fn mock() -> &'static Mock {
    static MOCK: OnceLock<Mock> = OnceLock::new();
    MOCK.get_or_init(|| start_mock(&[]))
}

pub struct Session {
    pub id: String,
    pub base_url: String,
    http: reqwest::Client,
    mock_url: String,
}

static NEXT: AtomicU64 = AtomicU64::new(0);

impl Session {
    pub fn new(steps: Value) -> Session {
        let m = mock();
        let id = format!("rs-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let s = Session {
            id,
            base_url: format!("{}/v1", m.url),
            http: reqwest::Client::new(),
            mock_url: m.url.clone(),
        };
        s.script(steps);
        s
    }

    pub fn script(&self, steps: Value) {
        let url = format!("{}/__mock/sessions/{}/script", self.mock_url, self.id);
        let http = self.http.clone();
        block(async move {
            let r = http
                .post(url)
                .body(serde_json::to_vec(&steps).unwrap())
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "script rejected: {}", r.text().await.unwrap());
        });
    }

    pub async fn requests(&self) -> Vec<Value> {
        let url = format!("{}/__mock/sessions/{}/requests", self.mock_url, self.id);
        serde_json::from_slice(&self.http.get(url).send().await.unwrap().bytes().await.unwrap()).unwrap()
    }

    /// Polls the request log until `pred` holds or 3 s pass.
    pub async fn wait_for(&self, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..300 {
            let reqs = self.requests().await;
            if pred(&reqs) {
                return reqs;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.requests().await
    }

    /// A builder pointed at this session, with fast backoff.
    pub fn builder(&self) -> ClientBuilder {
        Client::builder()
            .api_key(TEST_KEY)
            .base_url(&self.base_url)
            .default_header("x-mock-session", &self.id)
            .backoff(Duration::from_millis(1), Duration::from_millis(5))
    }

    pub fn client(&self) -> Client {
        self.builder().build().unwrap()
    }
}

/// Runs a future to completion from sync code, on a throwaway runtime.
fn block<F: std::future::Future<Output = ()> + Send + 'static>(f: F) {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(f)
    })
    .join()
    .unwrap();
}
