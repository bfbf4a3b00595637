//! Compiled fast path of dedup's candidate search.
//!
//! `streams/pipeline/dedup.py` is the specification: `dedup_candidates` returns exactly what its
//! `_candidates_python` returns, and reads the state with the same `get` calls in the same order
//! (the worker's state view caches what it reads). It handles the state shapes dedup writes: sentence
//! hashes that are `int`s within 64 bits, anchor lists of `str` ids, item records that are `dict`s
//! whose `s` is a `str` and whose `c` is a `list` of such `int`s. On anything else (or a record
//! without `s`/`c`, or a record with no sentences, where Python raises) it returns None and the
//! caller runs the Python path, which gives Python's answer or error.
//!
//! Lists and records are read through borrowed pointers while this function holds a reference to
//! them and runs no Python code in between (the state's `get` may run Python, so every value it
//! returns is held until the end).

use super::HashMap;
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyList, PySet, PyTuple};
use std::os::raw::c_int;
use std::ptr::addr_of_mut;

/// How the state is read: a plain dict directly, anything else through its `get` method.
enum Reader<'py> {
    Dict(Bound<'py, PyDict>),
    Get(Bound<'py, PyAny>),
}

impl<'py> Reader<'py> {
    /// `state.get(key)` for an ASCII/UTF-8 key; a stored None is the same as a missing key (as the
    /// Python code treats it).
    fn get(&self, py: Python<'py>, key: &[u8]) -> PyResult<Option<Bound<'py, PyAny>>> {
        // SAFETY: `key` is valid UTF-8 (ASCII prefix + bytes Python gave as UTF-8)
        let k = unsafe {
            let p =
                ffi::PyUnicode_FromStringAndSize(key.as_ptr().cast(), key.len() as ffi::Py_ssize_t);
            Bound::from_owned_ptr_or_err(py, p)?
        };
        let v = match self {
            Reader::Dict(d) => d.get_item(k)?,
            Reader::Get(g) => Some(g.call1((k,))?),
        };
        Ok(v.filter(|v| !v.is_none()))
    }
}

/// (containment, jaccard, index into the pooled ids, record, shared sentence hashes)
type Found<'py> = (f64, f64, usize, Bound<'py, PyAny>, Vec<i64>);

/// An exact `int` that fits 64 bits (what `f"{c}"` prints as plain decimal), else None.
pub(crate) fn small_int_ptr(o: *mut ffi::PyObject) -> Option<i64> {
    // SAFETY: `o` is a live object (borrowed from a container the caller holds)
    unsafe {
        if ffi::Py_TYPE(o) != addr_of_mut!(ffi::PyLong_Type) {
            return None;
        }
        let mut overflow: c_int = 0;
        let v = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
        if overflow != 0 {
            return None;
        }
        Some(v)
    }
}

pub(crate) fn small_int(o: &Bound<'_, PyAny>) -> Option<i64> {
    small_int_ptr(o.as_ptr())
}

/// An exact `float`, or an exact `int` that converts to one exactly (so comparisons agree), else None.
pub(crate) fn exact_real(o: &Bound<'_, PyAny>) -> Option<f64> {
    if o.is_exact_instance_of::<PyFloat>() {
        o.extract::<f64>().ok()
    } else {
        small_int(o)
            .filter(|v| v.unsigned_abs() < 1 << 53)
            .map(|v| v as f64)
    }
}

/// UTF-8 bytes of an exact `str` (borrowed from the object: valid while it lives), else None.
pub(crate) fn exact_str<'a>(o: *mut ffi::PyObject) -> Option<&'a [u8]> {
    // SAFETY: `o` is live; the UTF-8 buffer lives as long as the str
    unsafe {
        if ffi::Py_TYPE(o) != addr_of_mut!(ffi::PyUnicode_Type) {
            return None;
        }
        let mut n: ffi::Py_ssize_t = 0;
        let p = ffi::PyUnicode_AsUTF8AndSize(o, &mut n);
        if p.is_null() {
            ffi::PyErr_Clear(); // lone surrogates: not UTF-8
            return None;
        }
        Some(std::slice::from_raw_parts(p.cast(), n as usize))
    }
}

/// Items of an exact list as borrowed pointers (the caller holds the list and runs no Python).
pub(crate) fn list_items(l: &Bound<'_, PyAny>) -> Option<impl Iterator<Item = *mut ffi::PyObject>> {
    if !l.is_exact_instance_of::<PyList>() {
        return None;
    }
    let p = l.as_ptr();
    // SAFETY: exact list; indices below its current size
    let n = unsafe { ffi::PyList_Size(p) };
    Some((0..n).map(move |i| unsafe { ffi::PyList_GetItem(p, i) }))
}

/// Decimal digits of `v` after `prefix` in `buf` (what Python's `f"{prefix}{v}"` gives for an int).
pub(crate) fn key_int(buf: &mut Vec<u8>, prefix: &[u8], v: i64) {
    buf.clear();
    buf.extend_from_slice(prefix);
    if v < 0 {
        buf.push(b'-');
    }
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        digits[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

/// `dedup._candidates(fp, state, item_id, cfg)` for `fp.chunks` = `chunks`; None = run Python.
#[pyfunction]
#[pyo3(signature = (chunks, state, item_id, max_candidates, near, min_jaccard))]
pub fn dedup_candidates<'py>(
    py: Python<'py>,
    chunks: &Bound<'py, PyAny>,
    state: &Bound<'py, PyAny>,
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
    let reader = if state.is_exact_instance_of::<PyDict>() {
        Reader::Dict(state.downcast::<PyDict>()?.clone())
    } else {
        Reader::Get(state.getattr(intern!(py, "get"))?)
    };

    // every sentence hash's anchor list, in order: the pooled ids
    let mut key: Vec<u8> = Vec::with_capacity(32);
    let mut mine: Vec<i64> = Vec::with_capacity(chunks.len());
    let mut held: Vec<Bound<'py, PyAny>> = Vec::new(); // the lists the pooled ids are borrowed from
    let mut pooled: Vec<(*mut ffi::PyObject, &[u8])> = Vec::new();
    for c in chunks.iter() {
        let Some(v) = small_int(&c) else {
            return Ok(None);
        };
        mine.push(v);
        key_int(&mut key, b"a:", v);
        if let Some(ids) = reader.get(py, &key)? {
            let Some(items) = list_items(&ids) else {
                return Ok(None); // not a list: Python's `pooled += ids` decides
            };
            for id in items {
                let Some(s) = exact_str(id) else {
                    return Ok(None);
                };
                pooled.push((id, s));
            }
            held.push(ids);
        }
    }
    let out = PyList::empty(py);
    if pooled.is_empty() {
        return Ok(Some(out));
    }
    mine.sort_unstable();
    mine.dedup();
    let n_mine = mine.len();
    let mut bloom = [0u64; 4]; // most of a candidate's hashes are not ours: one bit test each
    for &v in &mine {
        bloom[(v as usize >> 6) & 3] |= 1 << (v & 63);
    }

    // dict.fromkeys(pooled) / Counter(pooled): distinct ids in first-seen order, with counts
    let mut first: HashMap<&[u8], usize> = HashMap::default();
    first.reserve(pooled.len());
    let mut distinct: Vec<(usize, u32)> = Vec::with_capacity(pooled.len()); // (first index, count)
    for (i, &(_, s)) in pooled.iter().enumerate() {
        match first.get(s) {
            Some(&k) => distinct[k].1 += 1,
            None => {
                first.insert(s, distinct.len());
                distinct.push((i, 1));
            }
        }
    }
    let n_ordered = distinct.len() - first.contains_key(me) as usize;
    let picked: Vec<usize> = if n_ordered > max_candidates {
        // sorted(Counter(pooled).items(), key=count, reverse=True)[:max + 1]: stable, most shared first
        distinct.sort_by_key(|d| std::cmp::Reverse(d.1));
        distinct
            .iter()
            .take(max_candidates + 1)
            .map(|d| d.0)
            .filter(|&i| pooled[i].1 != me)
            .take(max_candidates)
            .collect()
    } else {
        distinct
            .iter()
            .map(|d| d.0)
            .filter(|&i| pooled[i].1 != me)
            .collect()
    };

    let s_key = intern!(py, "s");
    let c_key = intern!(py, "c");
    let mut found: Vec<Found<'py>> = Vec::new();
    let mut shared: Vec<i64> = Vec::with_capacity(n_mine);
    for i in picked {
        key.clear();
        key.extend_from_slice(b"i:");
        key.extend_from_slice(pooled[i].1);
        let Some(rec) = reader.get(py, &key)? else {
            continue;
        };
        let Ok(d) = rec.downcast_exact::<PyDict>() else {
            return Ok(None);
        };
        let Some(kind) = d.get_item(s_key)? else {
            return Ok(None); // KeyError in Python
        };
        match exact_str(kind.as_ptr()) {
            Some(k) if k != b"u" => continue,
            Some(_) => {}
            None => return Ok(None),
        }
        let Some(theirs) = d.get_item(c_key)? else {
            return Ok(None);
        };
        let Some(items) = list_items(&theirs) else {
            return Ok(None);
        };
        shared.clear();
        let mut n_theirs = 0usize;
        for t in items {
            n_theirs += 1;
            let Some(v) = small_int_ptr(t) else {
                return Ok(None);
            };
            if bloom[(v as usize >> 6) & 3] >> (v & 63) & 1 != 0 && mine.binary_search(&v).is_ok() {
                shared.push(v);
            }
        }
        shared.sort_unstable();
        shared.dedup();
        let n_shared = shared.len();
        let smaller = if n_mine < n_theirs { n_mine } else { n_theirs };
        if smaller == 0 {
            return Ok(None); // Python raises ZeroDivisionError
        }
        let containment = n_shared as f64 / smaller as f64;
        if containment < near {
            continue;
        }
        let jaccard = n_shared as f64 / (n_mine + n_theirs - n_shared) as f64;
        if jaccard >= min_jaccard {
            found.push((containment, jaccard, i, rec.clone(), shared.clone()));
        }
    }
    // found.sort(key=(containment, jaccard), reverse=True): stable, no NaN (denominators > 0)
    found.sort_by(|a, b| (b.0, b.1).partial_cmp(&(a.0, a.1)).unwrap());
    for (containment, jaccard, i, rec, sh) in found {
        // SAFETY: the pooled id is borrowed from a list in `held`
        let cid = unsafe { Bound::from_borrowed_ptr(py, pooled[i].0) };
        let t = PyTuple::new(
            py,
            [
                PyFloat::new(py, containment).into_any(),
                PyFloat::new(py, jaccard).into_any(),
                cid,
                rec,
                PySet::new(py, &sh)?.into_any(),
            ],
        )?;
        out.append(t)?;
    }
    drop(held);
    Ok(Some(out))
}
