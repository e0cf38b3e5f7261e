//! Completing asyncio futures without taking the GIL on tokio threads.
//!
//! Each event loop has one `Completions`: a queue plus the write end of a pipe
//! whose read end the loop watches (`loop.add_reader`). A finished call pushes
//! its result and, when the queue was empty, writes one byte; the loop's reader
//! callback (which holds the GIL anyway) drains the queue and resolves the
//! futures. Tokio threads never wait for the GIL, however busy Python is.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::Payload;

pub(crate) struct Done {
    future: Py<PyAny>,
    result: Result<Payload, routerkit::Error>,
}

/// The completion queue of one event loop.
/// It owns its pipe: in-flight calls keep it alive, so a byte is never written to a
/// descriptor that was closed and reused.
#[pyclass(frozen, module = "routerkit._routerkit")]
pub struct Completions {
    queue: Mutex<Vec<Done>>,
    read_fd: i32,
    write_fd: i32,
}

impl Drop for Completions {
    fn drop(&mut self) {
        // SAFETY: closing the two descriptors this object created and owns.
        unsafe {
            libc::close(self.read_fd);
            libc::close(self.write_fd);
        }
    }
}

#[pymethods]
impl Completions {
    #[new]
    fn new() -> PyResult<Self> {
        let mut fds = [0i32; 2];
        // SAFETY: `pipe` fills the two-element array; fcntl on the descriptors it returned.
        unsafe {
            if libc::pipe(fds.as_mut_ptr()) != 0 {
                return Err(std::io::Error::last_os_error().into());
            }
            for fd in fds {
                libc::fcntl(fd, libc::F_SETFL, libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK);
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        Ok(Completions {
            queue: Mutex::new(Vec::new()),
            read_fd: fds[0],
            write_fd: fds[1],
        })
    }

    /// The descriptor for `loop.add_reader`: readable when calls have finished.
    fn fileno(&self) -> i32 {
        self.read_fd
    }

    /// Everything finished so far, as `(future, ok, value)`; `value` is the result, or a
    /// `NativeError` instance when `ok` is false.
    fn drain<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        // Empty the pipe first, then the queue: a push after this point writes a new byte.
        let mut buf = [0u8; 256];
        // SAFETY: reading into a local buffer from our own non-blocking descriptor.
        while unsafe { libc::read(self.read_fd, buf.as_mut_ptr().cast(), buf.len()) } > 0 {}
        let mut done = std::mem::take(&mut *self.queue.lock().unwrap_or_else(|p| p.into_inner()));
        // Calls' answers and streams' first chunks first: the loop then starts those
        // tasks (and their next requests) before it works through chunks of streams
        // already flowing, so a new stream's first chunk is not queued behind them.
        done.sort_by_key(|d| !d.result.as_ref().map_or(true, Payload::urgent));
        let out = PyList::empty(py);
        for d in done {
            let (ok, value) = match d.result {
                Ok(payload) => (true, payload.into_py(py)?),
                Err(e) => (false, crate::error::to_value(py, &e)?),
            };
            out.append((d.future, ok, value))?;
        }
        Ok(out)
    }
}

impl Completions {
    pub(crate) fn push(&self, future: Py<PyAny>, result: Result<Payload, routerkit::Error>) {
        let was_empty = {
            let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            let was_empty = q.is_empty();
            q.push(Done { future, result });
            was_empty
        };
        if was_empty {
            // A full pipe already means "wake up": the write may fail with EAGAIN harmlessly.
            // SAFETY: writing one byte from a valid buffer to a descriptor we were given.
            unsafe {
                libc::write(self.write_fd, b"x".as_ptr().cast(), 1);
            }
        }
    }
}

/// Spawns `fut` on the runtime; its result completes `future` through `completions`.
pub(crate) fn spawn<F>(completions: Py<Completions>, future: Py<PyAny>, fut: F)
where
    F: std::future::Future<Output = Result<Payload, routerkit::Error>> + Send + 'static,
{
    crate::runtime::runtime().spawn(async move {
        let result = fut.await;
        completions.get().push(future, result);
    });
}
