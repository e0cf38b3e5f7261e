//! JSON text → light Python objects in one pass (no `serde_json::Value`, no
//! `json.loads` + wrapping): every JSON object becomes an instance of a
//! `routerkit._types.BaseModel` subclass whose `__dict__` holds its fields; the
//! class of a nested object comes from its parent class's `_fields` table
//! (`{"choices": ChunkChoice, ...}`), plain `BaseModel` otherwise.

use std::fmt;

use pyo3::exceptions::PyValueError;
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

static BASE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static CHUNK: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Registers the class for objects without a schema and the stream chunk class
/// (called once by `routerkit._types`).
#[pyfunction]
pub fn set_classes(py: Python<'_>, base: Bound<'_, PyType>, chunk: Bound<'_, PyType>) {
    let _ = BASE.set(py, base.unbind());
    let _ = CHUNK.set(py, chunk.unbind());
}

/// The registered chunk class.
pub fn chunk_class(py: Python<'_>) -> PyResult<Bound<'_, PyType>> {
    CHUNK.get(py).map(|c| c.bind(py).clone()).ok_or_else(|| PyValueError::new_err("routerkit._types is not loaded"))
}

/// Parses `text` (str or bytes) into an instance of `cls`.
#[pyfunction]
pub fn parse_json<'py>(py: Python<'py>, text: &Bound<'py, PyAny>, cls: Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(b) = text.cast::<pyo3::types::PyBytes>() {
        return decode(py, b.as_bytes(), &cls);
    }
    let s: &str = &text.cast::<PyString>()?.to_cow()?;
    decode(py, s.as_bytes(), &cls)
}

/// Decodes JSON bytes; a top-level object becomes an instance of `cls`.
pub fn decode<'py>(py: Python<'py>, text: &[u8], cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>> {
    let base = match BASE.get(py) {
        Some(b) => b.bind(py).clone(),
        None => return Err(PyValueError::new_err("routerkit._types is not loaded")),
    };
    let mut de = serde_json::Deserializer::from_slice(text);
    let ctx = Ctx { py, base: &base };
    let seed = Seed { ctx: &ctx, cls: Some(cls.clone()) };
    let out = seed.deserialize(&mut de).map_err(|e| PyValueError::new_err(format!("invalid JSON: {e}")))?;
    de.end().map_err(|e| PyValueError::new_err(format!("invalid JSON: {e}")))?;
    Ok(out)
}

struct Ctx<'a, 'py> {
    py: Python<'py>,
    base: &'a Bound<'py, PyType>,
}

struct Seed<'a, 'py> {
    ctx: &'a Ctx<'a, 'py>,
    /// The class for an object at this position (from the parent's `_fields`).
    cls: Option<Bound<'py, PyType>>,
}

fn py_err<E: de::Error>(e: PyErr) -> E {
    E::custom(e.to_string())
}

/// A new instance of `cls` without running `__init__`, its `__dict__` set to `dict`.
fn instance<'py>(cls: &Bound<'py, PyType>, dict: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
    let py = cls.py();
    // SAFETY: PyType_GenericNew with a valid type and an empty args tuple; a new reference or NULL.
    let obj = unsafe {
        let args = PyTuple::empty(py);
        let ptr = ffi::PyType_GenericNew(cls.as_type_ptr(), args.as_ptr(), std::ptr::null_mut());
        Bound::from_owned_ptr_or_err(py, ptr)?
    };
    obj.setattr(pyo3::intern!(py, "__dict__"), dict)?;
    Ok(obj)
}

impl<'de, 'a, 'py> DeserializeSeed<'de> for Seed<'a, 'py> {
    type Value = Bound<'py, PyAny>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'a, 'py> Visitor<'de> for Seed<'a, 'py> {
    type Value = Bound<'py, PyAny>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyBool::new(self.ctx.py, v).to_owned().into_any())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyInt::new(self.ctx.py, v).into_any())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyInt::new(self.ctx.py, v).into_any())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(pyo3::types::PyFloat::new(self.ctx.py, v).into_any())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::new(self.ctx.py, v).into_any())
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.ctx.py.None().into_bound(self.ctx.py))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let list = PyList::empty(self.ctx.py);
        while let Some(v) = seq.next_element_seed(Seed { ctx: self.ctx, cls: self.cls.clone() })? {
            list.append(v).map_err(py_err)?;
        }
        Ok(list.into_any())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let py = self.ctx.py;
        let cls = self.cls.unwrap_or_else(|| self.ctx.base.clone());
        let fields = cls.getattr(pyo3::intern!(py, "_fields")).ok().and_then(|f| f.cast_into::<PyDict>().ok());
        let dict = PyDict::new(py);
        while let Some(key) = map.next_key_seed(KeySeed(py))? {
            let child = match &fields {
                Some(f) => f.get_item(&key).map_err(py_err)?.and_then(|c| c.cast_into::<PyType>().ok()),
                None => None,
            };
            let value = map.next_value_seed(Seed { ctx: self.ctx, cls: child })?;
            dict.set_item(key, value).map_err(py_err)?;
        }
        instance(&cls, dict).map_err(py_err)
    }
}

struct KeySeed<'py>(Python<'py>);

impl<'de, 'py> DeserializeSeed<'de> for KeySeed<'py> {
    type Value = Bound<'py, PyString>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'py> Visitor<'de> for KeySeed<'py> {
    type Value = Bound<'py, PyString>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(PyString::intern(self.0, v))
    }
}
