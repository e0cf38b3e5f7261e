//! The one native exception. It carries every field of a core error in a dict;
//! `routerkit/_exceptions.py` turns it into the openai-python class for its kind.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

create_exception!(
    _routerkit,
    NativeError,
    PyException,
    "Internal: a routerkit core error, converted to a public class by routerkit._exceptions."
);

/// The error's fields as a dict: kind, message, status, code, type, param,
/// body (JSON text), headers, request_id, retry_after (seconds), attempts, field.
pub fn fields<'py>(py: Python<'py>, e: &routerkit::Error) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("kind", e.kind().as_str())?;
    d.set_item("message", e.message())?;
    d.set_item("status", e.status())?;
    d.set_item("code", e.code())?;
    d.set_item("type", e.error_type())?;
    d.set_item("param", e.param())?;
    d.set_item("body", e.body().map(|b| b.to_string()))?;
    d.set_item("headers", e.headers().to_vec())?;
    d.set_item("request_id", e.request_id())?;
    d.set_item("retry_after", e.retry_after().map(|d| d.as_secs_f64()))?;
    d.set_item("attempts", e.attempts())?;
    d.set_item("field", e.field())?;
    Ok(d)
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
