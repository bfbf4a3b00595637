//! A compiled copy of the dedup state's anchor lists and originals' sentence hashes.
//!
//! The candidate search (`dedup._candidates_python` is the specification) reads every sentence
//! hash's `a:<hash>` list and up to 16 `i:<id>` records per item: in the state's Python objects that
//! is some 300 scattered cache lines per item, and the search was memory-bound. `DedupIndex` keeps
//! the same information compactly (ids as integers, each original's hashes as one sorted array) and
//! answers the search from it, with the same result.
//!
//! It is a write-through cache of the state, never a second source of truth: the Python wrapper
//! (`streams/pipeline/dedup_index.py`) passes it every write and delete of the state, and a key it
//! does not hold is read from the state (`get`) and remembered, absent keys included. Values that are
//! not the shapes dedup writes (see dedup.rs) are remembered as such, and a search that meets one
//! returns None, so that the caller runs the Python search. Past `max_entries` it starts empty again.

use super::dedup::{exact_real, exact_str, key_int, list_items, small_int, small_int_ptr};
use super::{HashMap, HashSet};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PySet, PyString, PyTuple};

enum Anchor {
    Ids(Box<[u32]>), // absent, None and [] are all "no ids" (kept in `no_ids`)
    Weird,
}

enum Rec {
    Absent,
    Other,                               // a record whose kind is not "u"
    Orig { n: u32, chunks: Box<[i64]> }, // len(c), and c sorted without repeats
    Weird,
}

#[pyclass(module = "wirefeed_native")]
pub struct DedupIndex {
    max_entries: usize,
    anchors: HashMap<i64, Anchor>,
    no_ids: HashSet<i64>, // anchors known to hold no ids: most sentence hashes are new
    records: HashMap<u32, Rec>,
    handles: HashMap<Box<[u8]>, u32>, // id (UTF-8) -> handle
    ids: Vec<Py<PyString>>,           // handle -> id
}

enum Key<'a> {
    Anchor(i64),
    Record(&'a [u8]),
    Other,
}

/// `a:<n>` with `n` as Python prints an int (no sign but "-", no leading zero) within 64 bits.
fn parse_key(k: &[u8]) -> Key<'_> {
    if let Some(rest) = k.strip_prefix(b"i:") {
        return Key::Record(rest);
    }
    let Some(d) = k.strip_prefix(b"a:") else {
        return Key::Other;
    };
    let (neg, digits) = match d.strip_prefix(b"-") {
        Some(r) => (true, r),
        None => (false, d),
    };
    if digits.is_empty()
        || digits.len() > 19
        || !digits.iter().all(u8::is_ascii_digit)
        || (digits[0] == b'0' && (digits.len() > 1 || neg))
    {
        return Key::Other; // never looked up: f"a:{c}" of an int is canonical
    }
    let v = digits
        .iter()
        .fold(0i128, |acc, &b| acc * 10 + (b - b'0') as i128);
    let v = if neg { -v } else { v };
    match i64::try_from(v) {
        Ok(v) => Key::Anchor(v),
        Err(_) => Key::Other,
    }
}

fn intern(
    handles: &mut HashMap<Box<[u8]>, u32>,
    ids: &mut Vec<Py<PyString>>,
    s: &[u8],
    obj: impl FnOnce() -> PyResult<Py<PyString>>,
) -> PyResult<u32> {
    if let Some(&h) = handles.get(s) {
        return Ok(h);
    }
    let h = ids.len() as u32;
    ids.push(obj()?);
    handles.insert(s.into(), h);
    Ok(h)
}

fn py_str<'py>(py: Python<'py>, s: &[u8]) -> PyResult<Bound<'py, PyString>> {
    // SAFETY: `s` is UTF-8 (it came from a str)
    unsafe {
        let p = ffi::PyUnicode_FromStringAndSize(s.as_ptr().cast(), s.len() as ffi::Py_ssize_t);
        Ok(Bound::from_owned_ptr_or_err(py, p)?.downcast_into_unchecked())
    }
}

impl DedupIndex {
    fn entries(&self) -> usize {
        self.anchors.len() + self.no_ids.len() + self.records.len() + self.ids.len()
    }

    fn put_anchor(&mut self, c: i64, a: Anchor) {
        if matches!(&a, Anchor::Ids(ids) if ids.is_empty()) {
            self.anchors.remove(&c);
            self.no_ids.insert(c);
        } else {
            self.no_ids.remove(&c);
            self.anchors.insert(c, a);
        }
    }

    fn anchor_of(&mut self, py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Anchor> {
        if value.is_none() {
            return Ok(Anchor::Ids(Box::new([])));
        }
        let Some(items) = list_items(value) else {
            return Ok(Anchor::Weird);
        };
        let mut out = Vec::new();
        for id in items {
            let Some(s) = exact_str(id) else {
                return Ok(Anchor::Weird);
            };
            // SAFETY: `id` is borrowed from `value`, which the caller holds
            let h = intern(&mut self.handles, &mut self.ids, s, || unsafe {
                Ok(Bound::from_borrowed_ptr(py, id)
                    .downcast_into_unchecked::<PyString>()
                    .unbind())
            })?;
            out.push(h);
        }
        Ok(Anchor::Ids(out.into_boxed_slice()))
    }

    fn rec_of(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<Rec> {
        if value.is_none() {
            return Ok(Rec::Absent);
        }
        let Ok(d) = value.downcast_exact::<PyDict>() else {
            return Ok(Rec::Weird);
        };
        let Some(kind) = d.get_item(intern!(py, "s"))? else {
            return Ok(Rec::Weird);
        };
        match exact_str(kind.as_ptr()) {
            Some(k) if k != b"u" => return Ok(Rec::Other),
            Some(_) => {}
            None => return Ok(Rec::Weird),
        }
        let Some(c) = d.get_item(intern!(py, "c"))? else {
            return Ok(Rec::Weird);
        };
        let Some(items) = list_items(&c) else {
            return Ok(Rec::Weird);
        };
        let mut chunks = Vec::new();
        for t in items {
            match small_int_ptr(t) {
                Some(v) => chunks.push(v),
                None => return Ok(Rec::Weird),
            }
        }
        let n = chunks.len() as u32;
        if n == 0 {
            return Ok(Rec::Weird); // Python divides by zero scoring it
        }
        chunks.sort_unstable();
        chunks.dedup();
        Ok(Rec::Orig {
            n,
            chunks: chunks.into_boxed_slice(),
        })
    }

    fn forget_record(&mut self, id: &[u8]) {
        if let Some(h) = self.handles.get(id) {
            self.records.remove(h);
        }
    }
}

#[pymethods]
impl DedupIndex {
    #[new]
    #[pyo3(signature = (max_entries = 1_000_000))]
    fn new(max_entries: usize) -> Self {
        DedupIndex {
            max_entries,
            anchors: HashMap::default(),
            no_ids: HashSet::default(),
            records: HashMap::default(),
            handles: HashMap::default(),
            ids: Vec::new(),
        }
    }

    fn __len__(&self) -> usize {
        self.entries()
    }

    /// Forget everything (it is read again from the state as needed).
    fn clear(&mut self) {
        self.anchors = HashMap::default();
        self.no_ids = HashSet::default();
        self.records = HashMap::default();
        self.handles = HashMap::default();
        self.ids = Vec::new();
    }

    /// The state's `key` was set to `value`.
    fn set(
        &mut self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let Some(k) = exact_str(key.as_ptr()) else {
            return Ok(());
        };
        if self.entries() > self.max_entries {
            self.clear();
        }
        match parse_key(k) {
            // anchor lists are read by most later items: taken while the objects are hot
            Key::Anchor(c) => {
                let a = self.anchor_of(py, value)?;
                self.put_anchor(c, a);
            }
            // records are rewritten (memos, versions) more often than scored: read when needed
            Key::Record(id) => self.forget_record(id),
            Key::Other => {}
        }
        Ok(())
    }

    /// The state's `key` was deleted.
    fn delete(&mut self, key: &Bound<'_, PyAny>) {
        let Some(k) = exact_str(key.as_ptr()) else {
            return;
        };
        match parse_key(k) {
            Key::Anchor(c) => {
                self.put_anchor(c, Anchor::Ids(Box::new([])));
            }
            Key::Record(id) => self.forget_record(id),
            Key::Other => {}
        }
    }

    /// `dedup._candidates` over the state whose `get` is given; None = run the Python search.
    #[pyo3(signature = (chunks, get, item_id, max_candidates, near, min_jaccard))]
    #[allow(clippy::too_many_arguments)]
    fn candidates<'py>(
        &mut self,
        py: Python<'py>,
        chunks: &Bound<'py, PyAny>,
        get: &Bound<'py, PyAny>,
        item_id: &Bound<'py, PyAny>,
        max_candidates: &Bound<'py, PyAny>,
        near: &Bound<'py, PyAny>,
        min_jaccard: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Bound<'py, PyList>>> {
        let (Ok(chunks), Some(me)) = (
            chunks.downcast_exact::<PyTuple>(),
            exact_str(item_id.as_ptr()),
        ) else {
            return Ok(None);
        };
        let (Some(max_candidates), Some(near), Some(min_jaccard)) = (
            small_int(max_candidates).and_then(|v| usize::try_from(v).ok()),
            exact_real(near),
            exact_real(min_jaccard),
        ) else {
            return Ok(None);
        };
        if self.entries() > self.max_entries {
            self.clear();
        }
        let mut key: Vec<u8> = Vec::with_capacity(32);
        let mut mine: Vec<i64> = Vec::with_capacity(chunks.len());
        let mut pooled: Vec<u32> = Vec::new();
        for c in chunks.iter() {
            let Some(v) = small_int(&c) else {
                return Ok(None);
            };
            mine.push(v);
            if self.no_ids.contains(&v) {
                continue;
            }
            if !self.anchors.contains_key(&v) {
                key_int(&mut key, b"a:", v);
                let value = get.call1((py_str(py, &key)?,))?;
                let a = self.anchor_of(py, &value)?;
                self.put_anchor(v, a);
            }
            match self.anchors.get(&v) {
                Some(Anchor::Ids(ids)) => pooled.extend_from_slice(ids),
                Some(Anchor::Weird) => return Ok(None),
                None => {} // no ids
            }
        }
        let out = PyList::empty(py);
        if pooled.is_empty() {
            return Ok(Some(out));
        }
        mine.sort_unstable();
        mine.dedup();
        let n_mine = mine.len();

        // dict.fromkeys(pooled) / Counter(pooled): distinct ids in first-seen order, with counts
        let mut first: HashMap<u32, usize> = HashMap::default();
        first.reserve(pooled.len());
        let mut distinct: Vec<(u32, u32)> = Vec::with_capacity(pooled.len()); // (handle, count)
        for &h in &pooled {
            match first.get(&h) {
                Some(&k) => distinct[k].1 += 1,
                None => {
                    first.insert(h, distinct.len());
                    distinct.push((h, 1));
                }
            }
        }
        let me = self.handles.get(me).copied();
        let n_ordered = distinct.len() - me.is_some_and(|h| first.contains_key(&h)) as usize;
        let picked: Vec<u32> = if n_ordered > max_candidates {
            // sorted(Counter(pooled).items(), key=count, reverse=True)[:max + 1]: stable
            distinct.sort_by_key(|d| std::cmp::Reverse(d.1));
            distinct
                .iter()
                .take(max_candidates + 1)
                .map(|d| d.0)
                .filter(|&h| Some(h) != me)
                .take(max_candidates)
                .collect()
        } else {
            distinct
                .iter()
                .map(|d| d.0)
                .filter(|&h| Some(h) != me)
                .collect()
        };

        // (containment, jaccard, handle, shared hashes)
        let mut found: Vec<(f64, f64, u32, Vec<i64>)> = Vec::new();
        for h in picked {
            if !self.records.contains_key(&h) {
                key.clear();
                key.extend_from_slice(b"i:");
                key.extend_from_slice(self.ids[h as usize].bind(py).to_str()?.as_bytes());
                let value = get.call1((py_str(py, &key)?,))?;
                let r = Self::rec_of(py, &value)?;
                self.records.insert(h, r);
            }
            let (n_theirs, theirs) = match &self.records[&h] {
                Rec::Absent | Rec::Other => continue,
                Rec::Weird => return Ok(None),
                Rec::Orig { n, chunks } => (*n as usize, chunks),
            };
            let smaller = if n_mine < n_theirs { n_mine } else { n_theirs };
            // Jaccard can be at most smaller / larger (all of the smaller shared); the division
            // below rounds monotonically, so below min_jaccard here means below it there too
            if (smaller as f64 / (n_mine + n_theirs - smaller) as f64) < min_jaccard {
                continue;
            }
            // |mine ∩ theirs|: both sorted, without repeats
            let (mut i, mut j, mut n_shared) = (0, 0, 0usize);
            while i < mine.len() && j < theirs.len() {
                match mine[i].cmp(&theirs[j]) {
                    std::cmp::Ordering::Less => i += 1,
                    std::cmp::Ordering::Greater => j += 1,
                    std::cmp::Ordering::Equal => {
                        n_shared += 1;
                        i += 1;
                        j += 1;
                    }
                }
            }
            let containment = n_shared as f64 / smaller as f64;
            if containment < near {
                continue;
            }
            let jaccard = n_shared as f64 / (n_mine + n_theirs - n_shared) as f64;
            if jaccard >= min_jaccard {
                let shared: Vec<i64> = mine
                    .iter()
                    .copied()
                    .filter(|v| theirs.binary_search(v).is_ok())
                    .collect();
                found.push((containment, jaccard, h, shared));
            }
        }
        found.sort_by(|a, b| (b.0, b.1).partial_cmp(&(a.0, a.1)).unwrap());
        for (containment, jaccard, h, shared) in found {
            let cid = self.ids[h as usize].bind(py).clone();
            key.clear();
            key.extend_from_slice(b"i:");
            key.extend_from_slice(cid.to_str()?.as_bytes());
            let rec = get.call1((py_str(py, &key)?,))?;
            if !rec.is_exact_instance_of::<PyDict>() {
                return Ok(None); // the state changed behind the index's back: let Python answer
            }
            let t = PyTuple::new(
                py,
                [
                    PyFloat::new(py, containment).into_any(),
                    PyFloat::new(py, jaccard).into_any(),
                    cid.into_any(),
                    rec,
                    PySet::new(py, &shared)?.into_any(),
                ],
            )?;
            out.append(t)?;
        }
        Ok(Some(out))
    }
}
