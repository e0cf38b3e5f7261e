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

/// Parses `text` (str or bytes) into an instance of `cls`.
#[pyfunction]
pub fn parse_json<'py>(
    py: Python<'py>,
    text: &Bound<'py, PyAny>,
    cls: Bound<'py, PyType>,
) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(b) = text.cast::<pyo3::types::PyBytes>() {
        return decode(py, b.as_bytes(), &cls);
    }
    let s: &str = &text.cast::<PyString>()?.to_cow()?;
    decode(py, s.as_bytes(), &cls)
}

/// Decodes JSON bytes; a top-level object becomes an instance of `cls`.
pub fn decode<'py>(py: Python<'py>, text: &[u8], cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>> {
    Decoder::new(py)?.decode(text, cls)
}

/// Decodes many documents (a stream batch) with one context: the key and
/// `_fields` caches are taken once for all of them.
pub struct Decoder<'py> {
    py: Python<'py>,
    base: Bound<'py, PyType>,
    /// `None` when another decode on this thread holds it (a finalizer decoding mid-decode).
    cache: std::cell::RefCell<Option<std::sync::MutexGuard<'static, Cache>>>,
}

impl<'py> Decoder<'py> {
    pub fn new(py: Python<'py>) -> PyResult<Self> {
        let base = match BASE.get(py) {
            Some(b) => b.bind(py).clone(),
            None => return Err(PyValueError::new_err("routerkit._types is not loaded")),
        };
        Ok(Decoder {
            py,
            base,
            cache: std::cell::RefCell::new(CACHE.try_lock().ok()),
        })
    }

    pub fn decode(&self, text: &[u8], cls: &Bound<'py, PyType>) -> PyResult<Bound<'py, PyAny>> {
        let mut de = serde_json::Deserializer::from_slice(text);
        let seed = Seed {
            ctx: self,
            cls: Some(cls.clone()),
        };
        let out = seed
            .deserialize(&mut de)
            .map_err(|e| PyValueError::new_err(format!("invalid JSON: {e}")))?;
        de.end()
            .map_err(|e| PyValueError::new_err(format!("invalid JSON: {e}")))?;
        Ok(out)
    }

    /// The interned Python string for an object key (cached: a gateway uses a few dozen keys).
    fn key(&self, k: &str) -> Bound<'py, PyString> {
        let py = self.py;
        let mut cache = self.cache.borrow_mut();
        let Some(cache) = cache.as_mut() else {
            return PyString::intern(py, k);
        };
        if let Some((_, s)) = cache.keys.iter().find(|(b, _)| &**b == k) {
            return s.bind(py).clone();
        }
        let s = PyString::intern(py, k);
        if cache.keys.len() < MAX_KEYS {
            cache.keys.push((k.into(), s.clone().unbind()));
        }
        s
    }

    /// `cls._fields` (the classes of nested values), cached per class.
    fn fields(&self, cls: &Bound<'py, PyType>) -> Option<Bound<'py, PyDict>> {
        let py = self.py;
        let lookup = || {
            cls.getattr(pyo3::intern!(py, "_fields"))
                .ok()
                .and_then(|f| f.cast_into::<PyDict>().ok())
        };
        let mut cache = self.cache.borrow_mut();
        let Some(cache) = cache.as_mut() else { return lookup() };
        if let Some((_, f)) = cache.fields.iter().find(|(c, _)| c.bind(py).is(cls)) {
            return f.as_ref().map(|f| f.bind(py).clone());
        }
        let f = lookup();
        if cache.fields.len() < MAX_CLASSES {
            cache
                .fields
                .push((cls.clone().unbind(), f.as_ref().map(|f| f.clone().unbind())));
        }
        f
    }
}

const MAX_KEYS: usize = 512;
const MAX_CLASSES: usize = 128;

/// Object keys seen so far, and each class's `_fields` (classes are kept alive by the
/// cache, so an address is never reused by another class). `_fields` is read once:
/// the classes in `routerkit._types` never change it.
pub struct Cache {
    keys: Vec<(Box<str>, Py<PyString>)>,
    fields: Vec<(Py<PyType>, Option<Py<PyDict>>)>,
}

static CACHE: std::sync::Mutex<Cache> = std::sync::Mutex::new(Cache {
    keys: Vec::new(),
    fields: Vec::new(),
});

struct Seed<'a, 'py> {
    ctx: &'a Decoder<'py>,
    /// The class for an object at this position (from the parent's `_fields`).
    cls: Option<Bound<'py, PyType>>,
}

fn py_err<E: de::Error>(e: PyErr) -> E {
    E::custom(e.to_string())
}

/// A new instance of `cls` without running `__init__`, its `__dict__` set to `dict`.
fn instance<'py>(cls: &Bound<'py, PyType>, dict: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
    let py = cls.py();
    // SAFETY: PyType_GenericNew with a valid type and an empty args tuple gives a new
    // reference or NULL; PyObject_GenericSetDict on that object with a dict (our classes
    // have a `__dict__`; it fails with an exception otherwise).
    unsafe {
        let args = PyTuple::empty(py);
        let ptr = ffi::PyType_GenericNew(cls.as_type_ptr(), args.as_ptr(), std::ptr::null_mut());
        let obj = Bound::from_owned_ptr_or_err(py, ptr)?;
        if ffi::PyObject_GenericSetDict(obj.as_ptr(), dict.as_ptr(), std::ptr::null_mut()) != 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(obj)
    }
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
        while let Some(v) = seq.next_element_seed(Seed {
            ctx: self.ctx,
            cls: self.cls.clone(),
        })? {
            list.append(v).map_err(py_err)?;
        }
        Ok(list.into_any())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let py = self.ctx.py;
        let cls = self.cls.unwrap_or_else(|| self.ctx.base.clone());
        let fields = self.ctx.fields(&cls);
        let dict = PyDict::new(py);
        while let Some(key) = map.next_key_seed(KeySeed(self.ctx))? {
            let child = match &fields {
                Some(f) => f
                    .get_item(&key)
                    .map_err(py_err)?
                    .and_then(|c| c.cast_into::<PyType>().ok()),
                None => None,
            };
            let value = map.next_value_seed(Seed {
                ctx: self.ctx,
                cls: child,
            })?;
            dict.set_item(key, value).map_err(py_err)?;
        }
        instance(&cls, dict).map_err(py_err)
    }
}

struct KeySeed<'a, 'py>(&'a Decoder<'py>);

impl<'de, 'a, 'py> DeserializeSeed<'de> for KeySeed<'a, 'py> {
    type Value = Bound<'py, PyString>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de, 'a, 'py> Visitor<'de> for KeySeed<'a, 'py> {
    type Value = Bound<'py, PyString>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.0.key(v))
    }
}
