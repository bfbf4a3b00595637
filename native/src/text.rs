//! Compiled fast paths of text-heavy pure functions; the Python functions are the specification.
//!
//! * `Fingerprinter.fingerprint` = `dedup_fingerprint.fingerprint_python`: the same byte transforms
//!   (pass-1 table, ". " sentence ends, shape and figure strings, the minimum-length rules, the
//!   one-line-flash rule), zlib's CRC32 (`crc32fast`), the same `Fingerprint` object. The byte
//!   classes and the length rules come from the Python tables (streams/pipeline/dedup_fingerprint.py).
//!   One walk over the UTF-8 text: 16 bytes at a time with SSE where it can (`Walk::vector`), else
//!   byte by byte (`Walk::scalar`).
//! * `top_level_keys` answers what `parse._check_duplicate_keys` answers with the standard library's
//!   decoder, for a document orjson has accepted: the span of the first top-level key that repeats an
//!   earlier one (escapes decoded, so `"\u0069d"` is `"id"`), or None. It declines (ValueError) where
//!   the standard library could fail on a document orjson accepts — nesting deeper than `MAX_DEPTH`
//!   (its limit is the interpreter's recursion limit, minus the caller's stack) or an integer too long
//!   for `int()` — and on anything unexpected; the caller then runs the reference check.
//! * `text_is_clean(s)`: True only when `parse.clean_text(s)` returns `s` unchanged (no CR, no
//!   character of `parse._CONTROL`, ASCII or NFC by the quick check). False means "run Python".
//! * `iso_utc_second(s)`: exactly when `parse._timestamp` takes its first shortcut.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};
use std::borrow::Cow;
use std::collections::HashSet;
use unicode_normalization::{is_nfc_quick, IsNormalized};

// ---- fingerprint -------------------------------------------------------------------------------

// Byte classes (built by the Python side from its translate tables).
const DELETED: u8 = 0; // gone before sentence ends are found: quotes, brackets, \r, non-ASCII
const DOT: u8 = 1; // . ! ? ;
const SPACE: u8 = 2; // space, tab
const SEPARATOR: u8 = 3; // \n, \0
const LETTER: u8 = 4; // kept in the shape (lower-cased)
const DIGIT: u8 = 5; // kept in the figures
const OTHER: u8 = 6; // in neither, but between a "." and a " "

/// What `str.isspace()` is true for (Python 3.11, Unicode 14; checked over every code point by
/// tests/unit/test_text_native.py): `text.strip()` is empty when every character is one of these.
pub(crate) fn py_space(c: char) -> bool {
    matches!(c, '\t'..='\r' | '\x1c'..='\x20' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}'
        | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// A slots dataclass filled through its member descriptors (as `object.__setattr__` would), without
/// running the generated `__init__`, which only assigns them (the Python side checks the class).
pub(crate) struct Record {
    cls: PyObject,
    set: Vec<(PyObject, pyo3::ffi::descrsetfunc)>,
}

impl Record {
    pub(crate) fn new(cls: PyObject, descrs: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        let mut set = Vec::with_capacity(descrs.len());
        for d in descrs {
            // SAFETY: PyType_GetSlot on the descriptor's (static) type returns tp_descr_set or NULL.
            let f = unsafe {
                pyo3::ffi::PyType_GetSlot(
                    pyo3::ffi::Py_TYPE(d.as_ptr()),
                    pyo3::ffi::Py_tp_descr_set,
                )
            };
            if f.is_null() {
                return Err(PyValueError::new_err("field descriptor without __set__"));
            }
            // SAFETY: the tp_descr_set slot holds a descrsetfunc
            let f: pyo3::ffi::descrsetfunc = unsafe { std::mem::transmute(f) };
            set.push((d.unbind(), f));
        }
        Ok(Record { cls, set })
    }

    pub(crate) fn make<'py>(
        &self,
        py: Python<'py>,
        values: &[Bound<'py, PyAny>],
    ) -> PyResult<Bound<'py, PyAny>> {
        if values.len() != self.set.len() {
            return Err(PyValueError::new_err("wrong number of fields"));
        }
        // SAFETY: `cls` is a heap type (checked on the Python side); PyType_GenericAlloc returns a
        // new reference or NULL with an exception set. The descriptors are its own member
        // descriptors; their setter returns 0, or -1 with an exception set.
        unsafe {
            let raw = pyo3::ffi::PyType_GenericAlloc(
                self.cls.as_ptr() as *mut pyo3::ffi::PyTypeObject,
                0,
            );
            let obj = Bound::from_owned_ptr_or_err(py, raw)?;
            for ((descr, set), v) in self.set.iter().zip(values) {
                if set(descr.as_ptr(), obj.as_ptr(), v.as_ptr()) < 0 {
                    return Err(PyErr::fetch(py));
                }
            }
            Ok(obj)
        }
    }
}

#[pyclass(frozen, module = "wirefeed_native")]
pub struct Fingerprinter {
    /// per input byte: its shape byte (low 8 bits) and its class as one flag bit (`F_*`)
    table: [u16; 256],
    simd: bool, // the vector walk: SSSE3 and POPCNT there, and the classes it has built in
    min_shape: usize,
    min_figure_shape: usize,
    record: Record,
}

const F_LETTER: u16 = 1 << 8;
const F_DIGIT: u16 = 1 << 9;
// the pending-dot state is kept as F_SPACE (a space then ends the sentence) or 0
const F_SPACE: u16 = 1 << 11;
const F_DOT: u16 = 1 << 12; // = F_SPACE << 1
const F_DELETED: u16 = 1 << 13; // = F_SPACE << 2
const F_SEPARATOR: u16 = 1 << 14;

/// The sentences of one text: all shape bytes, all figure bytes, and where each sentence that has
/// either ends (sentences with neither are layout: no rule looks at them).
struct Sentences {
    shapes: Vec<u8>,
    figures: Vec<u8>,
    ends: Vec<(usize, usize)>,
}

impl Fingerprinter {
    /// Pass 1 (translate, delete, ". " -> separator) and pass 2 (shapes, figures) in one walk.
    fn sentences(&self, text: &[u8]) -> Sentences {
        // room for the 8-byte stores of the vector path past the last kept byte
        let mut shapes: Vec<u8> = Vec::with_capacity(text.len() + 16);
        let mut figures: Vec<u8> = Vec::with_capacity(text.len() + 16);
        let mut w = Walk {
            shapes: shapes.as_mut_ptr(),
            figures: figures.as_mut_ptr(),
            ns: 0,
            nf: 0,
            dot: 0,
            last: (0, 0),
            ends: Vec::with_capacity(text.len() / 64 + 4),
        };
        let mut rest = text;
        #[cfg(target_arch = "x86_64")]
        if self.simd {
            // SAFETY: `simd` is set only where SSSE3 and POPCNT are available (checked in `new`)
            rest = unsafe { w.vector(text, &self.table) };
        }
        w.scalar(rest, &self.table);
        if w.last != (w.ns, w.nf) {
            w.ends.push((w.ns, w.nf));
        }
        // SAFETY: the walk wrote the first ns (nf) bytes of each buffer, within its capacity
        unsafe {
            shapes.set_len(w.ns);
            figures.set_len(w.nf);
        }
        Sentences {
            shapes,
            figures,
            ends: w.ends,
        }
    }
}

/// The state of the walk over a text: where the next shape and figure bytes go, whether the last
/// byte kept by pass 1 is a "." not yet paired with a " " (`dot` = F_SPACE, else 0), and the
/// sentence ends so far.
struct Walk {
    shapes: *mut u8,
    figures: *mut u8,
    ns: usize,
    nf: usize,
    dot: u16,
    last: (usize, usize),
    ends: Vec<(usize, usize)>,
}

impl Walk {
    #[inline]
    fn end(&mut self, ns: usize, nf: usize) {
        if self.last != (ns, nf) {
            self.last = (ns, nf);
            self.ends.push(self.last);
        }
    }

    /// Byte by byte, branch-free but at sentence ends: every byte is written to both outputs and
    /// kept by advancing that output's length.
    #[inline(never)]
    fn scalar(&mut self, text: &[u8], table: &[u16; 256]) {
        let (sp, fp) = (self.shapes, self.figures);
        let (mut ns, mut nf, mut dot) = (self.ns, self.nf, self.dot);
        for &b in text {
            let e = table[b as usize];
            // SAFETY: ns, nf <= the bytes walked before this one < the text's length <= capacity
            unsafe {
                *sp.add(ns) = e as u8;
                *fp.add(nf) = b;
            }
            ns += ((e & F_LETTER) >> 8) as usize;
            nf += ((e & F_DIGIT) >> 9) as usize;
            let end = e & (F_SEPARATOR | dot);
            dot = ((e & F_DOT) >> 1) | (dot & ((e & F_DELETED) >> 2));
            if end != 0 {
                self.end(ns, nf);
            }
        }
        (self.ns, self.nf, self.dot) = (ns, nf, dot);
    }

    /// 16 bytes at a time with SSE: letters (lower-cased) and digits packed out of each block,
    /// sentence ends at separators and at spaces right after a dot. A block where a dot is followed
    /// by a deleted byte (`."` or `.)`, so that the dot may pair with a later space) or where a
    /// pending dot meets a deleted byte goes to `scalar`. Returns the tail of under 16 bytes.
    /// Only for the classes `VECTOR_CLASSES` (checked in `new`).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "ssse3,popcnt")]
    unsafe fn vector<'t>(&mut self, text: &'t [u8], table: &[u16; 256]) -> &'t [u8] {
        use std::arch::x86_64::*;
        let pack = pack_table();
        let set = _mm_set1_epi8;
        let mut chunks = text.chunks_exact(16);
        for c in &mut chunks {
            let v = _mm_loadu_si128(c.as_ptr() as *const __m128i);
            macro_rules! eq {
                ($x:expr) => {
                    _mm_cmpeq_epi8(v, set($x as i8))
                };
            }
            let dots = _mm_or_si128(
                _mm_or_si128(eq!(b'.'), eq!(b'!')),
                _mm_or_si128(eq!(b'?'), eq!(b';')),
            );
            let seps = _mm_or_si128(eq!(b'\n'), eq!(0));
            let dot_mask = _mm_movemask_epi8(dots) as u32;
            let sep_mask = _mm_movemask_epi8(seps) as u32;
            let pending = (self.dot != 0) as u32;
            // positions right after a dot (or the block start after a pending one)
            let after_dot = (dot_mask << 1 | pending) & 0xffff;
            let mut ends = sep_mask;
            if after_dot != 0 {
                let deleted = _mm_or_si128(
                    _mm_or_si128(
                        _mm_or_si128(eq!(b'"'), eq!(b'\'')),
                        _mm_or_si128(eq!(b'('), eq!(b')')),
                    ),
                    _mm_or_si128(_mm_or_si128(eq!(b'['), eq!(b']')), eq!(b'\r')),
                );
                let deleted = _mm_movemask_epi8(deleted) as u32 | _mm_movemask_epi8(v) as u32;
                if after_dot & deleted != 0 {
                    self.scalar(c, table);
                    continue;
                }
                let spaces = _mm_movemask_epi8(_mm_or_si128(eq!(b' '), eq!(b'\t'))) as u32;
                ends |= after_dot & spaces;
            }
            self.dot = if dot_mask & 0x8000 != 0 { F_SPACE } else { 0 };
            let lower = _mm_or_si128(v, set(0x20));
            let off = _mm_sub_epi8(lower, set(b'a' as i8));
            let letters = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(off, set(25)), off)) as u32;
            let doff = _mm_sub_epi8(v, set(b'0' as i8));
            let digits = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(doff, set(9)), doff)) as u32;
            while ends != 0 {
                let below = (1u32 << ends.trailing_zeros()) - 1;
                let (ns, nf) = (
                    self.ns + (letters & below).count_ones() as usize,
                    self.nf + (digits & below).count_ones() as usize,
                );
                self.end(ns, nf);
                ends &= ends - 1;
            }
            if letters != 0 {
                let (lo, hi) = ((letters & 0xff) as usize, (letters >> 8) as usize);
                let idx =
                    _mm_set_epi64x((pack[hi] | 0x0808_0808_0808_0808) as i64, pack[lo] as i64);
                let packed = _mm_shuffle_epi8(lower, idx);
                _mm_storel_epi64(self.shapes.add(self.ns) as *mut __m128i, packed);
                self.ns += lo.count_ones() as usize;
                _mm_storel_epi64(
                    self.shapes.add(self.ns) as *mut __m128i,
                    _mm_unpackhi_epi64(packed, packed),
                );
                self.ns += hi.count_ones() as usize;
            }
            let mut d = digits;
            while d != 0 {
                *self.figures.add(self.nf) = c[d.trailing_zeros() as usize];
                self.nf += 1;
                d &= d - 1;
            }
        }
        chunks.remainder()
    }
}

/// For each 8-bit mask, the positions of its set bits in order, as the byte lanes of a u64 (the
/// shuffle that packs those bytes to the front).
fn pack_table() -> &'static [u64; 256] {
    static PACK: std::sync::OnceLock<[u64; 256]> = std::sync::OnceLock::new();
    PACK.get_or_init(|| {
        let mut t = [0u64; 256];
        for (m, slot) in t.iter_mut().enumerate() {
            let mut k = 0;
            for bit in 0..8 {
                if m >> bit & 1 != 0 {
                    *slot |= (bit as u64) << (8 * k);
                    k += 1;
                }
            }
        }
        t
    })
}

/// The byte classes the vector path has built in (= what the Python tables give today).
fn vector_classes() -> [u8; 256] {
    let mut c = [OTHER; 256];
    for (b, slot) in c.iter_mut().enumerate() {
        let b = b as u8;
        *slot = match b {
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'\r' | 0x80..=0xff => DELETED,
            b'.' | b'!' | b'?' | b';' => DOT,
            b' ' | b'\t' => SPACE,
            b'\n' | 0 => SEPARATOR,
            b'a'..=b'z' | b'A'..=b'Z' => LETTER,
            b'0'..=b'9' => DIGIT,
            _ => OTHER,
        };
    }
    c
}

#[pymethods]
impl Fingerprinter {
    /// Whether the vector walk is in use.
    #[getter]
    fn simd(&self) -> bool {
        self.simd
    }

    /// `classes` and `lower`: 256 bytes each; `fields`: the member descriptors of `cls`'s fields
    /// (exact, chunks, facts, length).
    /// `simd=False` keeps to the byte-by-byte walk (the tests run both).
    #[new]
    #[pyo3(signature = (cls, fields, classes, lower, min_shape, min_figure_shape, simd=true))]
    fn new(
        cls: PyObject,
        fields: Vec<Bound<'_, PyAny>>,
        classes: &[u8],
        lower: &[u8],
        min_shape: usize,
        min_figure_shape: usize,
        simd: bool,
    ) -> PyResult<Self> {
        if classes.len() != 256 || lower.len() != 256 || classes.iter().any(|&c| c > OTHER) {
            return Err(PyValueError::new_err(
                "classes and lower must be 256 valid bytes",
            ));
        }
        let mut table = [0u16; 256];
        for (t, (&c, &l)) in table.iter_mut().zip(classes.iter().zip(lower)) {
            let flag = match c {
                DELETED => F_DELETED,
                DOT => F_DOT,
                SPACE => F_SPACE,
                SEPARATOR => F_SEPARATOR,
                LETTER => F_LETTER,
                DIGIT => F_DIGIT,
                _ => 0,
            };
            *t = flag | l as u16;
        }
        #[cfg(target_arch = "x86_64")]
        let simd = simd
            && std::arch::is_x86_feature_detected!("ssse3")
            && std::arch::is_x86_feature_detected!("popcnt")
            && classes == vector_classes()
            && (0..=255u8).all(|b| classes[b as usize] != LETTER || lower[b as usize] == b | 0x20);
        #[cfg(not(target_arch = "x86_64"))]
        let simd = simd && false;
        Ok(Fingerprinter {
            table,
            simd,
            min_shape,
            min_figure_shape,
            record: Record::new(cls, fields)?,
        })
    }

    /// The `Fingerprint` of the story, or None for a text that is not valid UTF-8 (a lone
    /// surrogate): the Python path then raises what it raises.
    fn fingerprint<'py>(
        &self,
        py: Python<'py>,
        headline: &Bound<'py, PyString>,
        body: &Bound<'py, PyString>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let Ok(b) = body.to_str() else {
            return Ok(None);
        };
        let text = if b.chars().all(py_space) {
            match headline.to_str() {
                Ok(h) => h,
                Err(_) => return Ok(None),
            }
        } else {
            b
        };
        let sent = self.sentences(text.as_bytes());
        // one pass: the kept sentences' hashes, and the non-empty shapes joined by \0
        let mut kept: Vec<(u32, u32)> = Vec::with_capacity(sent.ends.len());
        let mut joined = crc32fast::Hasher::new();
        let mut length = 0usize;
        let (mut ps, mut pf) = (0usize, 0usize);
        for &(es, ef) in &sent.ends {
            let (s, f) = (&sent.shapes[ps..es], &sent.figures[pf..ef]);
            (ps, pf) = (es, ef);
            if !s.is_empty() {
                if length > 0 {
                    joined.update(b"\0");
                    length += 1;
                }
                joined.update(s);
                length += s.len();
            }
            if s.len() >= self.min_shape || (!f.is_empty() && s.len() >= self.min_figure_shape) {
                kept.push((crc32fast::hash(s), crc32fast::hash(f)));
            }
        }
        let mut shapes_crc = joined.finalize();
        let mut figures = crc32fast::Hasher::new_with_initial(shapes_crc);
        if kept.is_empty() && !sent.shapes.is_empty() {
            // a one-line flash: the whole of it is the only sentence (and what exact/length cover)
            shapes_crc = crc32fast::hash(&sent.shapes);
            length = sent.shapes.len();
            kept.push((shapes_crc, crc32fast::hash(&sent.figures)));
            figures = crc32fast::Hasher::new_with_initial(shapes_crc);
            figures.update(&sent.figures);
        } else {
            // the non-empty figures joined by "|", chained on the shapes' hash
            let (mut pf, mut first) = (0usize, true);
            for &(_, ef) in &sent.ends {
                let f = &sent.figures[pf..ef];
                pf = ef;
                if !f.is_empty() {
                    if !first {
                        figures.update(b"|");
                    }
                    first = false;
                    figures.update(f);
                }
            }
        }
        let figures_crc = figures.finalize();
        // {shape: figures} keeps the last sentence of each shape; chunks are its sorted keys
        kept.sort_by_key(|k| k.0); // stable: equal shapes stay in text order
        let mut chunks = Vec::with_capacity(kept.len());
        let mut facts = Vec::with_capacity(kept.len());
        for (i, &(s, f)) in kept.iter().enumerate() {
            if kept.get(i + 1).is_some_and(|n| n.0 == s) {
                continue;
            }
            chunks.push(s);
            facts.push(f);
        }
        let exact = format!("{shapes_crc:08x}{figures_crc:08x}");
        let values = [
            PyString::new(py, &exact).into_any(),
            PyTuple::new(py, chunks)?.into_any(),
            PyTuple::new(py, facts)?.into_any(),
            length.into_pyobject(py)?.into_any(),
        ];
        self.record.make(py, &values).map(Some)
    }
}

// ---- parse: top-level keys ---------------------------------------------------------------------

/// Deeper documents go to the reference check: the standard library's scanner recurses per level,
/// against the interpreter's recursion limit, so where it gives up depends on the caller's stack.
const MAX_DEPTH: usize = 64;
/// Longer integers go to the reference check: `int()` refuses more than `sys.get_int_max_str_digits()`
/// digits (at least 640 when set; orjson reads none so long today, as they overflow a double).
const MAX_INT_CHARS: usize = 600;

struct Declined;

type Scan<T> = Result<T, Declined>;

struct Doc<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Doc<'a> {
    #[inline]
    fn peek(&self) -> Scan<u8> {
        self.b.get(self.i).copied().ok_or(Declined)
    }

    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    #[inline]
    fn expect(&mut self, c: u8) -> Scan<()> {
        if self.peek()? != c {
            return Err(Declined);
        }
        self.i += 1;
        Ok(())
    }

    /// Past a string (at its opening quote); whether it holds an escape.
    fn string(&mut self) -> Scan<bool> {
        self.i += 1;
        let mut escaped = false;
        loop {
            let k = memchr::memchr2(b'"', b'\\', &self.b[self.i.min(self.b.len())..])
                .ok_or(Declined)?;
            self.i += k;
            if self.b[self.i] == b'"' {
                self.i += 1;
                return Ok(escaped);
            }
            escaped = true;
            self.i += 2; // the backslash and the escaped byte (\uXXXX's digits are plain bytes)
        }
    }

    fn number(&mut self) -> Scan<()> {
        let start = self.i;
        let mut integer = true;
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b'0'..=b'9' | b'-' | b'+' => {}
                b'.' | b'e' | b'E' => integer = false,
                _ => break,
            }
            self.i += 1;
        }
        if integer && self.i - start > MAX_INT_CHARS {
            return Err(Declined);
        }
        Ok(())
    }

    /// Past one value of the top-level object (which is depth 1).
    fn value(&mut self) -> Scan<()> {
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'-' | b'0'..=b'9' => self.number(),
            b't' | b'f' | b'n' => {
                while let Some(b'a'..=b'z') = self.b.get(self.i) {
                    self.i += 1;
                }
                Ok(())
            }
            b'{' | b'[' => {
                let mut depth = 2usize;
                self.i += 1;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => {
                            depth += 1;
                            if depth > MAX_DEPTH {
                                return Err(Declined);
                            }
                        }
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 1 {
                                self.i += 1;
                                return Ok(());
                            }
                        }
                        b'-' | b'0'..=b'9' => {
                            self.number()?;
                            continue;
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => Err(Declined),
        }
    }
}

fn hex4(b: &[u8]) -> Scan<u32> {
    if b.len() != 4 {
        return Err(Declined);
    }
    let mut v = 0u32;
    for &c in b {
        let d = (c as char).to_digit(16).ok_or(Declined)?;
        v = v << 4 | d;
    }
    Ok(v)
}

/// A JSON string's content with its escapes decoded (a lone surrogate declines: orjson refuses it).
fn unescape(s: &[u8]) -> Scan<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let e = *s.get(i + 1).ok_or(Declined)?;
        i += 2;
        let ch = match e {
            b'"' | b'\\' | b'/' => e as char,
            b'b' => '\x08',
            b'f' => '\x0c',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = hex4(s.get(i..i + 4).ok_or(Declined)?)?;
                i += 4;
                let cp = if (0xD800..0xDC00).contains(&hi) {
                    if s.get(i..i + 2) != Some(b"\\u") {
                        return Err(Declined);
                    }
                    let lo = hex4(s.get(i + 2..i + 6).ok_or(Declined)?)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err(Declined);
                    }
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                } else {
                    hi
                };
                char::from_u32(cp).ok_or(Declined)? // a lone low surrogate is no char
            }
            _ => return Err(Declined),
        };
        let mut buf = [0u8; 4];
        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
    }
    Ok(out)
}

/// Up to this many keys are compared pairwise; more go into a (randomly seeded) hash set.
const LINEAR_KEYS: usize = 32;

fn scan_keys(b: &[u8]) -> Scan<Option<(usize, usize)>> {
    let mut d = Doc { b, i: 0 };
    d.ws();
    d.expect(b'{')?;
    d.ws();
    if d.peek()? == b'}' {
        return Ok(None);
    }
    let mut keys: Vec<Cow<'_, [u8]>> = Vec::new();
    let mut set: HashSet<Cow<'_, [u8]>> = HashSet::new();
    let mut first_repeat = None;
    loop {
        if d.peek()? != b'"' {
            return Err(Declined);
        }
        let start = d.i;
        let escaped = d.string()?;
        let raw = &b[start + 1..d.i - 1];
        // the whole document is read even after a repeat: a later part may make the reference decline
        if first_repeat.is_none() {
            let key: Cow<'_, [u8]> = if escaped {
                Cow::Owned(unescape(raw)?)
            } else {
                Cow::Borrowed(raw)
            };
            let seen = if keys.len() < LINEAR_KEYS {
                let seen = keys.contains(&key);
                keys.push(key);
                if keys.len() == LINEAR_KEYS {
                    set.extend(keys.drain(..));
                }
                seen
            } else {
                !set.insert(key)
            };
            if seen {
                first_repeat = Some((start, d.i));
            }
        }
        d.ws();
        d.expect(b':')?;
        d.ws();
        d.value()?;
        d.ws();
        match d.peek()? {
            b',' => {
                d.i += 1;
                d.ws();
            }
            b'}' => return Ok(first_repeat),
            _ => return Err(Declined),
        }
    }
}

/// `(start, end)` of the first top-level key (its quoted spelling) that repeats an earlier one, or
/// None; ValueError when the document is for the reference check (see the module docs).
#[pyfunction]
pub fn top_level_keys(data: &Bound<'_, PyAny>) -> PyResult<Option<(usize, usize)>> {
    let declined = |_| PyValueError::new_err("declined: left to the reference check");
    let bytes = data.downcast::<PyBytes>().map_err(|_| declined(Declined))?; // bytearray, memoryview
    scan_keys(bytes.as_bytes()).map_err(declined)
}

// ---- parse: clean_text -------------------------------------------------------------------------

/// Whether an ASCII byte is a CR or in `parse._CONTROL`: C0 controls but tab and newline, and DEL.
#[inline]
fn dirty(b: u8) -> bool {
    (b < 0x20 && b != b'\t' && b != b'\n') | (b == 0x7f)
}

enum Ascii {
    Dirty, // a CR or an ASCII character of `_CONTROL`
    Clean, // none, and all ASCII
    Wide,  // none, but there are non-ASCII characters
}

#[cfg(target_arch = "x86_64")]
fn ascii_scan(b: &[u8]) -> Ascii {
    use std::arch::x86_64::*;
    let mut high = 0i32;
    let mut chunks = b.chunks_exact(16);
    // SAFETY: SSE2 is part of x86_64; the loads are unaligned loads of 16 in-bounds bytes.
    unsafe {
        let (c1f, tab, nl, del) = (
            _mm_set1_epi8(0x1f),
            _mm_set1_epi8(9),
            _mm_set1_epi8(10),
            _mm_set1_epi8(0x7f),
        );
        for c in &mut chunks {
            let v = _mm_loadu_si128(c.as_ptr() as *const __m128i);
            let low = _mm_cmpeq_epi8(_mm_min_epu8(v, c1f), v); // v <= 0x1f
            let ok = _mm_or_si128(_mm_cmpeq_epi8(v, tab), _mm_cmpeq_epi8(v, nl));
            let bad = _mm_or_si128(_mm_andnot_si128(ok, low), _mm_cmpeq_epi8(v, del));
            if _mm_movemask_epi8(bad) != 0 {
                return Ascii::Dirty;
            }
            high |= _mm_movemask_epi8(v);
        }
    }
    let rest = chunks.remainder();
    if rest.iter().any(|&x| dirty(x)) {
        Ascii::Dirty
    } else if high != 0 || rest.iter().any(|&x| x >= 0x80) {
        Ascii::Wide
    } else {
        Ascii::Clean
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn ascii_scan(b: &[u8]) -> Ascii {
    if b.iter().any(|&x| dirty(x)) {
        Ascii::Dirty
    } else if b.is_ascii() {
        Ascii::Clean
    } else {
        Ascii::Wide
    }
}

/// The position of the first byte from `i` on that is not ASCII, or the length.
fn next_high(b: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= b.len() {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of x86_64; an unaligned load of 16 in-bounds bytes
        let m = unsafe { _mm_movemask_epi8(_mm_loadu_si128(b.as_ptr().add(i) as *const __m128i)) };
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    while i < b.len() && b[i] < 0x80 {
        i += 1;
    }
    i
}

/// Characters of the Basic Multilingual Plane that leave a run of them NFC by the quick check
/// whatever their neighbours (NFC_QC Yes and combining class 0) and are not in `_CONTROL`: a run of
/// only these needs no look-up in the crate's tables (a bit per character, built once).
fn plain_bmp() -> &'static [u64; 1024] {
    static PLAIN: std::sync::OnceLock<Box<[u64; 1024]>> = std::sync::OnceLock::new();
    PLAIN.get_or_init(|| {
        let mut bits = Box::new([0u64; 1024]);
        for c in (0x80u32..0x10000).filter_map(char::from_u32) {
            if !matches!(c, '\u{200b}' | '\u{feff}' | '\u{fffe}')
                && unicode_normalization::char::canonical_combining_class(c) == 0
                && is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
            {
                bits[c as usize >> 6] |= 1 << (c as usize & 63);
            }
        }
        bits
    })
}

/// True only when `parse.clean_text(s)` is `s`: no CR, no character of `_CONTROL`, and ASCII or
/// NFC by the quick check (Yes: every character's NFC_QC is Yes and combining classes are ordered;
/// those properties are stable across Unicode versions for assigned characters, and characters
/// unassigned in Python's database count there as Yes starters). False: let Python decide.
#[pyfunction]
pub fn text_is_clean(s: &Bound<'_, PyString>) -> bool {
    s.to_str().is_ok_and(is_clean)
}

/// `text_is_clean` for a text already in UTF-8.
pub(crate) fn is_clean(t: &str) -> bool {
    let b = t.as_bytes();
    match ascii_scan(b) {
        Ascii::Dirty => return false,
        Ascii::Clean => return true,
        Ascii::Wide => {}
    }
    // every maximal run of non-ASCII characters (ASCII resets the quick check's state)
    let plain = plain_bmp();
    let mut i = 0;
    loop {
        i = next_high(b, i);
        if i == b.len() {
            break;
        }
        let start = i;
        while i < b.len() && b[i] >= 0x80 {
            i += 1;
        }
        let run = &t[start..i];
        if run
            .chars()
            .all(|c| (c as usize) < 0x10000 && plain[c as usize >> 6] >> (c as usize & 63) & 1 != 0)
        {
            continue;
        }
        if run
            .chars()
            .any(|c| matches!(c, '\u{200b}' | '\u{feff}' | '\u{fffe}'))
            || is_nfc_quick(run.chars()) != IsNormalized::Yes
        {
            return false;
        }
    }
    true
}

// ---- parse: timestamps -------------------------------------------------------------------------

/// True only when `parse._timestamp(s)` returns `s` by its first test: `YYYY-MM-DDTHH:MM:SSZ`, a
/// year from 1000, and a date and time that `datetime.fromisoformat` reads and `isoformat` prints
/// back the same (so each field in range, the day within its month). False: let Python decide.
#[pyfunction]
pub fn iso_utc_second(s: &Bound<'_, PyString>) -> bool {
    s.to_str().is_ok_and(canonical_second)
}

/// `iso_utc_second` for a text already in UTF-8.
pub(crate) fn canonical_second(t: &str) -> bool {
    let b = t.as_bytes();
    if b.len() != 20 || b[0] == b'0' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |v, &c| {
            c.is_ascii_digit().then(|| v * 10 + (c - b'0') as u32)
        })
    };
    let shape = b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[19] == b'Z';
    let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(se)) = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    ) else {
        return false;
    };
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    shape && (1..=days).contains(&d) && h < 24 && mi < 60 && se < 60
}
