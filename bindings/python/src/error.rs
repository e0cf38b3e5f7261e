//! The one native exception. It carries the core's wire form of the error
//! (`routerkit::bridge::wire::ErrorWire`: every field, one `message` rule) as a dict;
//! `routerkit/_exceptions.py` turns it into the openai-python class for its kind.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;
use routerkit::bridge::wire::ErrorWire;

create_exception!(
    _routerkit,
    NativeError,
    PyException,
    "Internal: a routerkit core error, converted to a public class by routerkit._exceptions."
);

/// The error's wire form, `json.loads`-ed: a dict of kind, message, status, code, type, param,
/// field, body, headers, request_id, retry_after_ms, attempts.
pub fn fields<'py>(py: Python<'py>, e: &routerkit::Error) -> PyResult<Bound<'py, PyDict>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let loads = LOADS.get_or_try_init(py, || py.import("json")?.getattr("loads").map(Bound::unbind))?;
    Ok(loads
        .bind(py)
        .call1((ErrorWire::of(e).to_json(),))?
        .cast_into::<PyDict>()?)
}

/// The core's error kinds (for the exhaustiveness test of `routerkit._exceptions`).
#[pyfunction]
pub fn error_kinds() -> Vec<&'static str> {
    routerkit::bridge::wire::error_kinds()
}

/// A `NativeError` instance (used as a value by the async completion queue).
pub fn to_value(py: Python<'_>, e: &routerkit::Error) -> PyResult<Py<PyAny>> {
    let err = NativeError::new_err((fields(py, e)?.unbind(),));
    Ok(err.into_value(py).into_any())
}

/// Raise `NativeError` for `e`.
pub fn to_err(py: Python<'_>, e: &routerkit::Error) -> PyErr {
    match fields(py, e) {
        Ok(d) => NativeError::new_err((d.unbind(),)),
        Err(err) => err,
    }
}
