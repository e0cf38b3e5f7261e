//! `routerkit._routerkit`: the native half of the Python package. A translation
//! table over the `routerkit` core: JSON text in, the core call with the GIL
//! released, raw JSON out, core errors as one `NativeError` that
//! `routerkit/_exceptions.py` maps to openai-python's classes.

mod bridge;
mod client;
mod convert;
mod error;
mod json;
mod runtime;
mod stream;

use pyo3::prelude::*;

#[pymodule]
fn _routerkit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NativeError", m.py().get_type::<error::NativeError>())?;
    m.add_class::<client::NativeClient>()?;
    m.add_class::<client::CallHandle>()?;
    m.add_class::<stream::NativeStream>()?;
    m.add_class::<bridge::Completions>()?;
    m.add_class::<convert::NativeReceipt>()?;
    m.add_function(wrap_pyfunction!(json::parse_json, m)?)?;
    m.add_function(wrap_pyfunction!(json::set_classes, m)?)?;
    m.add_function(wrap_pyfunction!(error::error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(client::default_settings, m)?)?;
    m.add_function(wrap_pyfunction!(client::helper, m)?)?;
    Ok(())
}
