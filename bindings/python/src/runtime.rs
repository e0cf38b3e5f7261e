//! One tokio runtime per process, created on first use and created anew in a
//! child after `fork()` (the parent's worker threads do not exist there).
//! Blocking waits release the GIL and wake every 100 ms to notice Ctrl-C.

use std::future::Future;
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use tokio::runtime::Runtime;

static RUNTIME: Mutex<Option<(u32, Arc<Runtime>)>> = Mutex::new(None);

/// The process's runtime; a forked child gets a fresh one (the parent's is leaked:
/// dropping it would try to join threads that do not exist in the child).
pub fn runtime() -> Arc<Runtime> {
    let pid = std::process::id();
    let mut slot = RUNTIME.lock().unwrap_or_else(|p| p.into_inner());
    match slot.as_ref() {
        Some((owner, rt)) if *owner == pid => rt.clone(),
        _ => {
            if let Some(old) = slot.take() {
                std::mem::forget(old);
            }
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            // ROUTERKIT_WORKER_THREADS: the runtime's worker count (default: one per core).
            if let Some(n) = std::env::var("ROUTERKIT_WORKER_THREADS")
                .ok()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|n| *n > 0)
            {
                builder.worker_threads(n);
            }
            let rt = Arc::new(
                builder
                    .enable_all()
                    .thread_name("routerkit")
                    .build()
                    .expect("routerkit: cannot start the tokio runtime"),
            );
            *slot = Some((pid, rt.clone()));
            rt
        }
    }
}

const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// Runs `fut` to completion with the GIL released, waking every 100 ms to run
/// Python's signal handlers. When one raises (Ctrl-C), `on_interrupt` runs
/// (cancelling the call), the task is aborted (closing its connection), and the
/// handler's exception is returned.
///
/// The future is polled once here (the answer is often already there: the next
/// chunks of a busy stream); if it must wait, it runs as a task on the runtime,
/// so the worker that sees the socket ready also polls it, and this thread is
/// woken once, with the result, instead of once per readiness event.
pub fn wait<F, T>(py: Python<'_>, fut: F, on_interrupt: impl FnOnce()) -> PyResult<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let rt = runtime();
    let mut fut = Box::pin(fut);
    {
        let _entered = rt.enter();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        if let std::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return Ok(out);
        }
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let task = rt.spawn(async move {
        let _ = tx.send(fut.await);
    });
    let mut rx = rx;
    loop {
        let (back, got) = py.detach(move || {
            let got = rx.recv_timeout(SIGNAL_CHECK);
            (rx, got)
        });
        rx = back;
        match got {
            Ok(out) => return Ok(out),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "routerkit: the call's task ended without a result",
                ));
            }
        }
        if let Err(e) = py.check_signals() {
            on_interrupt();
            task.abort();
            return Err(e);
        }
    }
}
