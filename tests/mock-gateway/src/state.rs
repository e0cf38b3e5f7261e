//! Shared state: sessions (script + request log) and connection counters.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use crate::step::Step;

/// What became of the response to one logged request.
#[derive(Debug, Default)]
pub struct Outcome {
    pub completed: AtomicBool,
    pub client_disconnected: AtomicBool,
}

impl Outcome {
    pub fn complete(&self) {
        self.completed.store(true, Ordering::SeqCst);
    }
    pub fn disconnected(&self) {
        if !self.completed.load(Ordering::SeqCst) {
            self.client_disconnected.store(true, Ordering::SeqCst);
        }
    }
}

pub struct Record {
    pub info: Value,
    pub outcome: Arc<Outcome>,
}

#[derive(Default)]
pub struct Session {
    pub script: VecDeque<Step>,
    pub requests: Vec<Record>,
    /// Requests a `slow_first` step has considered, for its seeded pick.
    pub slow_count: u64,
}

#[derive(Default)]
pub struct State {
    sessions: Mutex<HashMap<String, Session>>,
    pub live_connections: AtomicU64,
    pub total_connections: AtomicU64,
    pub tls_handshake_failures: AtomicU64,
    pub requests: AtomicU64,
}

impl State {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub fn set_script(&self, sid: &str, steps: Vec<Step>) {
        let mut s = self.sessions.lock().unwrap();
        s.entry(sid.to_string()).or_default().script = steps.into();
    }

    pub fn delete_session(&self, sid: &str) -> bool {
        self.sessions.lock().unwrap().remove(sid).is_some()
    }

    /// Log an API request and take the session's next scripted step.
    /// Returns (1-based request number in the session, step, outcome).
    pub fn log_request(&self, sid: &str, info: Value, take_step: bool) -> (usize, Option<Step>, Arc<Outcome>) {
        self.requests.fetch_add(1, Ordering::SeqCst);
        let outcome = Arc::new(Outcome::default());
        let mut s = self.sessions.lock().unwrap();
        let sess = s.entry(sid.to_string()).or_default();
        sess.requests.push(Record {
            info,
            outcome: outcome.clone(),
        });
        let n = sess.requests.len();
        let step = if take_step { sess.script.pop_front() } else { None };
        (n, step, outcome)
    }

    /// The 0-based number of this `slow_first` candidate in the session.
    pub fn next_slow_count(&self, sid: &str) -> u64 {
        let mut s = self.sessions.lock().unwrap();
        let sess = s.entry(sid.to_string()).or_default();
        sess.slow_count += 1;
        sess.slow_count - 1
    }

    pub fn requests_json(&self, sid: &str) -> Value {
        let s = self.sessions.lock().unwrap();
        let Some(sess) = s.get(sid) else { return json!([]) };
        Value::Array(
            sess.requests
                .iter()
                .map(|r| {
                    let mut v = r.info.clone();
                    v["completed"] = r.outcome.completed.load(Ordering::SeqCst).into();
                    v["client_disconnected"] = r.outcome.client_disconnected.load(Ordering::SeqCst).into();
                    v
                })
                .collect(),
        )
    }

    pub fn script_len(&self, sid: &str) -> usize {
        self.sessions.lock().unwrap().get(sid).map_or(0, |s| s.script.len())
    }

    pub fn stats_json(&self) -> Value {
        let open = self.live_connections.load(Ordering::SeqCst);
        let accepted = self.total_connections.load(Ordering::SeqCst);
        json!({
            "open_connections": open,
            "accepted_connections": accepted,
            // The first names of the gauge, kept for the tests that use them.
            "live_connections": open,
            "total_connections": accepted,
            "tls_handshake_failures": self.tls_handshake_failures.load(Ordering::SeqCst),
            "requests": self.requests.load(Ordering::SeqCst),
            "sessions": self.sessions.lock().unwrap().len(),
        })
    }
}
