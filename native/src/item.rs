//! Compiled fast path of `parse.normalise` for the common plain item; `streams/pipeline/parse.py`
//! is the specification.
//!
//! `PlainReader.read(obj)` returns the `RawItem` Python would build, or None whenever Python could
//! reject the item or would take a rule not mirrored here: another format (ninjs keys), any of the
//! keys in `DEFER`, a value of another type than the common one, text that `clean_text` would
//! change, a stripped field longer than its cut, a non-ASCII language (Unicode lower-casing), a
//! timestamp not already canonical, a headline that could be a correction notice. Python then runs
//! the whole of `normalise` for that item.

use crate::text::{canonical_second, is_clean, py_space, Record};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyInt, PyString};

/// Keys whose presence (even as null) sends the item to Python.
const DEFER: &[&str] = &[
    "headlines",
    "bodies",
    "uri",
    "pubstatus",
    "body_html",
    "correction",
    "signals",
    "signal",
    "bylines",
    "provider",
    "copyrightholder",
    "infosources",
];
const ID_MAX: usize = 512; // parse._ID_MAX
const SOURCE_MAX: usize = 200;
const OPT_MAX: usize = 1000;

#[pyclass(frozen, module = "wirefeed_native")]
pub struct PlainReader {
    record: Record,
    usable: Py<PyString>,
    plain: Py<PyString>,
    unknown: Py<PyString>,
    empty: Py<PyString>,
}

/// The values of the keys `_from_plain` reads (None: absent).
#[derive(Default)]
struct Fields<'py> {
    id: Option<Bound<'py, PyAny>>,
    body: Option<Bound<'py, PyAny>>,
    headline: Option<Bound<'py, PyAny>>,
    version: Option<Bound<'py, PyAny>>,
    source: Option<Bound<'py, PyAny>>,
    language: Option<Bound<'py, PyAny>>,
    published: Option<Bound<'py, PyAny>>,
    url: Option<Bound<'py, PyAny>>,
    link: Option<Bound<'py, PyAny>>,
    dateline: Option<Bound<'py, PyAny>>,
    byline: Option<Bound<'py, PyAny>>,
    located: Option<Bound<'py, PyAny>>,
}

/// The text of an exact `str`, or None for anything else (a subclass too).
fn exact_str<'a>(v: &'a Bound<'_, PyAny>) -> Option<&'a str> {
    v.downcast_exact::<PyString>().ok()?.to_str().ok()
}

/// `value is None` (or absent): Some(None); an exact `str`: Some(Some(text)); else None.
fn opt_text<'a>(v: &'a Option<Bound<'_, PyAny>>) -> Option<Option<&'a str>> {
    match v {
        None => Some(None),
        Some(v) if v.is_none() => Some(None),
        Some(v) => exact_str(v).map(Some),
    }
}

/// `str.strip()`.
fn strip(t: &str) -> &str {
    t.trim_matches(py_space)
}

/// At most `n` characters (code points).
fn within(t: &str, n: usize) -> bool {
    t.len() <= n || t.chars().count() <= n
}

/// A character of `parse._CONTROL`.
fn control(c: char) -> bool {
    matches!(c, '\x00'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\x7f' | '\u{200b}' | '\u{feff}' | '\u{fffe}')
}

impl PlainReader {
    /// The original object when the text is unchanged, else a new `str`.
    fn same_or_new<'py>(
        py: Python<'py>,
        orig: &Bound<'py, PyAny>,
        full: &str,
        part: &str,
    ) -> Bound<'py, PyAny> {
        if part.len() == full.len() {
            orig.clone()
        } else {
            PyString::new(py, part).into_any()
        }
    }

    /// `_opt_str(o, key, lower=...)`, or None to defer.
    fn opt_str<'py>(
        py: Python<'py>,
        v: &Option<Bound<'py, PyAny>>,
        lower: bool,
    ) -> Option<Bound<'py, PyAny>> {
        let none = py.None().into_bound(py);
        let Some(t) = opt_text(v)? else {
            return Some(none);
        };
        if t.is_empty() {
            return Some(none);
        }
        if !is_clean(t) {
            return None;
        }
        let s = strip(t);
        if !within(s, OPT_MAX) {
            return None;
        }
        if lower {
            if !s.is_ascii() {
                return None;
            }
            if s.bytes().any(|b| b.is_ascii_uppercase()) {
                return Some(PyString::new(py, &s.to_ascii_lowercase()).into_any());
            }
        }
        Some(Self::same_or_new(py, v.as_ref()?, t, s))
    }

    fn read_fields<'py>(&self, py: Python<'py>, f: &Fields<'py>) -> Option<Vec<Bound<'py, PyAny>>> {
        // _id
        let id_obj = f.id.as_ref()?;
        let id_text = exact_str(id_obj)?;
        let id = strip(id_text);
        if id.is_empty() || !within(id, ID_MAX) || id.chars().any(control) {
            return None;
        }
        // _text: body, headline (body_html is deferred)
        let body = opt_text(&f.body)?.unwrap_or("");
        let headline = opt_text(&f.headline)?.unwrap_or("");
        // _finish: pubstatus is "usable" (deferred when given), so the body must have text
        if strip(body).is_empty() || !is_clean(body) || !is_clean(headline) {
            return None;
        }
        let head = strip(headline);
        // _correction: no flag or signals (deferred), so the prefix pattern decides: it needs
        // "correc" or "update" in front, in any case (no non-ASCII character matches one of those
        // letters under re.IGNORECASE: tests/unit/test_text_native.py)
        if let Some(p) = head.as_bytes().get(..6) {
            if p.eq_ignore_ascii_case(b"correc") || p.eq_ignore_ascii_case(b"update") {
                return None;
            }
        }
        // _version
        let version = match &f.version {
            None => 1i64.into_pyobject(py).ok()?.into_any(),
            Some(v) if v.is_exact_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() => {
                let n: i64 = v.extract().ok()?;
                if !(0..1 << 31).contains(&n) {
                    return None;
                }
                v.clone()
            }
            Some(_) => return None,
        };
        // _source: "source" (provider, copyrightholder, infosources are deferred)
        let source = match opt_text(&f.source)? {
            Some(t) if !strip(t).is_empty() => {
                let s = strip(t);
                if !is_clean(t) || !within(s, SOURCE_MAX) {
                    return None;
                }
                Self::same_or_new(py, f.source.as_ref()?, t, s)
            }
            _ => self.unknown.bind(py).clone().into_any(),
        };
        let language = Self::opt_str(py, &f.language, true)?;
        // _timestamp
        let published = match opt_text(&f.published)? {
            None | Some("") => py.None().into_bound(py),
            Some(t) if canonical_second(t) => f.published.clone()?,
            Some(_) => return None,
        };
        // _opt_str(o, "url") or _opt_str(o, "link")
        let mut url = Self::opt_str(py, &f.url, false)?;
        if !url.is_truthy().ok()? {
            url = Self::opt_str(py, &f.link, false)?;
        }
        let dateline = Self::opt_str(py, &f.dateline, false)?;
        let byline = Self::opt_str(py, &f.byline, false)?; // _byline without "bylines"
        let located = Self::opt_str(py, &f.located, false)?;
        let none = py.None().into_bound(py);
        Some(vec![
            Self::same_or_new(py, id_obj, id_text, id),
            version,
            source,
            match &f.headline {
                Some(h) if !h.is_none() => Self::same_or_new(py, h, headline, head),
                _ => self.empty.bind(py).clone().into_any(),
            },
            match &f.body {
                Some(b) if !b.is_none() => b.clone(),
                _ => self.empty.bind(py).clone().into_any(),
            },
            none.clone(), // body_html
            language,
            published,
            url,
            dateline,
            byline,
            located,
            self.usable.bind(py).clone().into_any(),
            PyBool::new(py, false).to_owned().into_any(),
            self.plain.bind(py).clone().into_any(),
        ])
    }
}

#[pymethods]
impl PlainReader {
    /// `cls` is `RawItem`; `fields` the member descriptors of its 15 fields, in order.
    #[new]
    fn new(py: Python<'_>, cls: PyObject, fields: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        if fields.len() != 15 {
            return Err(pyo3::exceptions::PyValueError::new_err(
                "RawItem has 15 fields",
            ));
        }
        Ok(PlainReader {
            record: Record::new(cls, fields)?,
            usable: PyString::intern(py, "usable").unbind(),
            plain: PyString::intern(py, "plain").unbind(),
            unknown: PyString::intern(py, "unknown").unbind(),
            empty: PyString::intern(py, "").unbind(),
        })
    }

    /// The `RawItem` of a plain item, or None: Python decides.
    fn read<'py>(
        &self,
        py: Python<'py>,
        obj: &Bound<'py, PyDict>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let mut f = Fields::default();
        for (k, v) in obj.iter() {
            let Some(key) = exact_str(&k) else {
                return Ok(None);
            };
            let slot = match key {
                "id" => &mut f.id,
                "body" => &mut f.body,
                "headline" => &mut f.headline,
                "version" => &mut f.version,
                "source" => &mut f.source,
                "language" => &mut f.language,
                "published" => &mut f.published,
                "url" => &mut f.url,
                "link" => &mut f.link,
                "dateline" => &mut f.dateline,
                "byline" => &mut f.byline,
                "located" => &mut f.located,
                k if DEFER.contains(&k) => return Ok(None),
                _ => continue, // a key _from_plain never reads
            };
            *slot = Some(v);
        }
        match self.read_fields(py, &f) {
            Some(values) => self.record.make(py, &values).map(Some),
            None => Ok(None),
        }
    }
}
