//! Compiled fast path of wirefeed's topic routing.
//!
//! `streams/pipeline/route.py` is the specification: `Router.route` returns exactly what its
//! `route()` returns (matched routes in rule-set order, and every reason string byte for byte).
//! Python compiles and validates the rule set and hands this module plain data once per rule set
//! (streams/pipeline/route_native.py): the trigger plan's bitmasks, the leaves (one per evidence
//! slot, with the iteration order of their sets, which decides how evidence lists ties), the
//! expression nodes with their clause texts, and a table of `str.lower()` / `str.isalnum()` for the
//! Basic Multilingual Plane made by Python's own `str` methods.
//!
//! A story is handled only when every character of headline and body is in the BMP and lower-cases
//! to one character with no context rule (not capital sigma), so that positions in the lower-cased
//! text equal Python's; the source and language must be ASCII and the story countries plain ASCII
//! strings. Otherwise `route` returns None and the caller runs the Python path. Any unexpected
//! input shape (an attribute of the wrong type) also returns None, never an error.
//!
//! Phrases: where route.py runs pyahocorasick over the lower-cased text, this walks a trie of the
//! same keys from every position that follows a non-alphanumeric character (the start-boundary rule
//! route.py applies to every automaton hit), which finds the same word-bounded occurrences.

use super::HashMap;
use pyo3::exceptions::PyValueError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use std::borrow::Cow;
use std::fmt::Write;

const NONE: u32 = u32::MAX;
const HEADLINE: i64 = -1;
const BMP: usize = 0x10000;

type Bits = Box<[u64]>;

fn item<'py>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    d.get_item(key)?
        .ok_or_else(|| PyValueError::new_err(format!("route spec lacks {key}")))
}

#[derive(Default)]
struct Syms(HashMap<String, u32>);

impl Syms {
    fn add(&mut self, s: &str) -> u32 {
        if let Some(&k) = self.0.get(s) {
            return k;
        }
        let k = self.0.len() as u32;
        self.0.insert(s.to_owned(), k);
        k
    }
    fn get(&self, s: &str) -> u32 {
        self.0.get(s).copied().unwrap_or(NONE)
    }
    fn list(&mut self, v: Option<Vec<String>>) -> Option<Vec<u32>> {
        v.map(|xs| xs.iter().map(|x| self.add(x)).collect())
    }
}

/// (headline, lead, body) membership of a clause's `in:` zones; None = anywhere.
type Zones = Option<(bool, bool, bool)>;

struct EntLeaf {
    ids: Option<Vec<u32>>,
    types: Option<Vec<u32>>,
    countries: Option<Vec<u32>>,
    slot: usize,
    where_: String,
    zones: Zones,
    min_count: i64,
    min_distinct: i64,
    share: Option<f64>,
    share_of: Option<Vec<u32>>,
}

struct PhLeaf {
    pids: Vec<u32>, // in the clause's own iteration order
    zones: Zones,
    min_count: i64,
}

enum Leaf {
    Ent(EntLeaf),
    Ph(PhLeaf),
    Country(Vec<u32>, Option<usize>),
    Source(Vec<u32>),
    Lang(Vec<u32>),
    Same {
        kids: Vec<usize>,
        sorted: Vec<usize>, // phrases first, as the predicate asks them
        min: usize,
    },
}

enum Node {
    All(Vec<usize>),
    Any(Vec<usize>),
    AtLeast(usize, Vec<usize>),
    Not(usize, String, bool), // child, head, fixed ("not satisfied") or the child leaf's evidence
    Ref(usize, String),
    Leaf(usize, String),
}

struct Plan {
    words: usize,
    n_clauses: usize,
    always: Vec<bool>,
    required: Vec<Bits>,
    id: HashMap<u32, Bits>,
    idz: HashMap<u32, Bits>,
    ec: HashMap<u32, Bits>,
    ecz: HashMap<u32, Bits>,
    et: HashMap<u32, Bits>,
    etz: HashMap<u32, Bits>,
    sc: HashMap<u32, Vec<Bits>>,
    ph: Vec<Bits>,
    phh: Vec<Bits>,
    src: HashMap<u32, Bits>,
    lang: HashMap<u32, Bits>,
}

struct Phrase {
    display: String, // as written, "*" kept
    core_len: usize, // characters before the "*" (or the whole phrase)
}

#[pyclass(frozen, module = "wirefeed_native")]
pub struct Router {
    lower: Vec<u32>, // BMP code point -> lower-cased code point, NONE when not one plain character
    alnum: Vec<bool>,
    syms: Syms,
    phrases: Vec<Phrase>,
    trie: Trie,
    term: Vec<(Vec<u32>, Vec<u32>)>, // (exact phrase ids, prefix phrase ids) of a key
    words: WordFilter,
    leaves: Vec<Leaf>,
    nodes: Vec<Node>,
    names: Vec<String>,
    roots: Vec<usize>,
    plan: Plan,
    result_cls: Py<PyAny>,
    py_names: Vec<Py<PyString>>, // route names, made once
}

/// Which alphanumeric runs can start a key, so the trie is walked only from those (a Bloom filter:
/// a false positive costs a walk, never a miss). A key that starts with its first alphanumeric run
/// `k1` matches only where the text's run equals `k1` (the next key character, if any, is not
/// alphanumeric), except a prefix key whose core is one run, which matches runs starting with it.
struct WordFilter {
    bits: Vec<u64>,
    prefix_lens: u128, // bit L: a one-run prefix core of length L (bit 127: 127 or longer)
}

impl WordFilter {
    const BITS: u64 = 1 << 16;

    #[inline]
    fn step(h: u64, c: u32) -> u64 {
        h.rotate_left(7) ^ c as u64
    }

    #[inline]
    fn index(h: u64, len: usize, prefix: bool) -> usize {
        let mut x = h ^ ((len as u64) << 1 | prefix as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        (x % Self::BITS) as usize
    }

    fn add(&mut self, h: u64, len: usize, prefix: bool) {
        let i = Self::index(h, len, prefix);
        self.bits[i / 64] |= 1 << (i % 64);
    }

    #[inline]
    fn has(&self, h: u64, len: usize, prefix: bool) -> bool {
        let i = Self::index(h, len, prefix);
        self.bits[i / 64] >> (i % 64) & 1 == 1
    }

    fn new(keys: &[(Vec<u32>, bool)], alnum: &[bool]) -> Self {
        let mut f = WordFilter {
            bits: vec![0; (Self::BITS / 64) as usize],
            prefix_lens: 0,
        };
        let is_alnum = |c: u32| (c as usize) < BMP && alnum[c as usize];
        for (core, prefix) in keys {
            let run = core.iter().take_while(|&&c| is_alnum(c)).count();
            if run == 0 {
                continue; // starts with a non-alphanumeric character: found by walking from those
            }
            let h = core[..run].iter().fold(0u64, |h, &c| Self::step(h, c));
            if *prefix && run == core.len() {
                f.add(h, run, true);
                f.prefix_lens |= 1 << run.min(127);
            } else {
                f.add(h, run, false);
            }
        }
        f
    }

    /// Whether a key may start at `s` (an alphanumeric character after a non-alphanumeric one).
    #[inline]
    fn may_start(&self, text: &[u32], alnum: &[bool], s: usize) -> bool {
        let mut h = 0u64;
        let mut e = s;
        while e < text.len() && alnum[e] {
            h = Self::step(h, text[e]);
            e += 1;
            let len = e - s;
            if len >= 127 {
                if self.prefix_lens >> 127 != 0 {
                    return true; // a long prefix core: walk
                }
            } else if self.prefix_lens >> len & 1 == 1 && self.has(h, len, true) {
                return true;
            }
        }
        self.has(h, e - s, false)
    }
}

/// The phrase keys' trie: a node with several children has a dense row for ASCII characters, every
/// node a sorted child list (searched for other characters, and for nodes without a row).
struct Trie {
    alpha: [u8; 128], // ASCII character -> column of the dense rows (0: in no key)
    width: usize,
    nodes: Vec<TNode>,
    dense: Vec<u32>,
    kids: Vec<(u32, u32)>,
}

#[derive(Clone, Copy)]
struct TNode {
    row: u32,   // dense row, or NONE
    start: u32, // children in `kids`
    len: u32,
    term: u32, // index into Router.term, or NONE
}

impl Trie {
    const DENSE_FROM: usize = 8;

    fn new(edges: &HashMap<u64, u32>, term: Vec<u32>) -> Self {
        let n = term.len();
        let mut per: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for (&k, &child) in edges {
            per[(k >> 32) as usize].push((k as u32, child));
        }
        let mut alpha = [0u8; 128];
        let mut width = 1usize;
        for &k in edges.keys() {
            let c = k as u32 as usize;
            if c < 128 && alpha[c] == 0 {
                alpha[c] = width as u8;
                width += 1;
            }
        }
        let mut t = Trie {
            alpha,
            width,
            nodes: Vec::with_capacity(n),
            dense: Vec::new(),
            kids: Vec::new(),
        };
        for (node, mut ks) in per.into_iter().enumerate() {
            ks.sort_unstable();
            let mut row = NONE;
            if ks.len() >= Self::DENSE_FROM {
                row = (t.dense.len() / width) as u32;
                let base = t.dense.len();
                t.dense.resize(base + width, NONE);
                for &(c, child) in &ks {
                    if c < 128 && alpha[c as usize] != 0 {
                        t.dense[base + alpha[c as usize] as usize] = child;
                    }
                }
            }
            t.nodes.push(TNode {
                row,
                start: t.kids.len() as u32,
                len: ks.len() as u32,
                term: term[node],
            });
            t.kids.extend(ks);
        }
        t
    }

    #[inline]
    fn step(&self, node: u32, c: u32) -> u32 {
        let nd = &self.nodes[node as usize];
        if c < 128 {
            let col = self.alpha[c as usize];
            if col == 0 {
                return NONE;
            }
            if nd.row != NONE {
                return self.dense[nd.row as usize * self.width + col as usize];
            }
        }
        let ks = &self.kids[nd.start as usize..(nd.start + nd.len) as usize];
        if ks.len() <= 8 {
            ks.iter().find(|k| k.0 == c).map_or(NONE, |k| k.1)
        } else {
            ks.binary_search_by_key(&c, |k| k.0)
                .map_or(NONE, |i| ks[i].1)
        }
    }
}

struct Row<'py> {
    id: Bound<'py, PyString>,
    ent: Bound<'py, PyAny>, // for the name, read only when evidence lists it
    id_sym: u32,
    type_key: u32,
    country: u32,
    n: [i64; 7],
    mentions: (u32, u32), // range in Story.mentions
}

struct Story<'py> {
    rows: Vec<Row<'py>>,
    type_totals: Vec<(u32, i64)>,
    countries: Vec<u32>,
    country_strs: Vec<String>,
    mentions: Vec<(bool, i64)>,
    source: String,
    parts: Vec<u32>,
    language: String,
    lang: u32,
    text: Vec<u32>,
    alnum: Vec<bool>, // isalnum() of each character of `text`
    hl: usize,
    lead_t: usize,
    text_nl: Vec<usize>,
    body_nl: Vec<i64>,
    hits: Vec<(u32, u32)>, // (phrase id, start), sorted
    bits: Vec<u64>,
    memo: Vec<u8>,
    rmemo: Vec<u8>,
    ev: Vec<(usize, String)>, // evidence slot -> evidence, for the few asked
    reasons: Vec<(usize, Vec<String>)>, // route -> reasons, for matched (and referenced) routes
    paras: Vec<Option<Vec<i64>>>,
    bail: bool,
}

fn bits_of(v: &Bound<'_, PyAny>, words: usize) -> PyResult<Bits> {
    let b: Vec<u64> = v.extract()?;
    if b.len() != words {
        return Err(PyValueError::new_err("bit mask of the wrong width"));
    }
    Ok(b.into_boxed_slice())
}

fn str_bits(
    d: &Bound<'_, PyDict>,
    key: &str,
    words: usize,
    syms: &mut Syms,
) -> PyResult<HashMap<u32, Bits>> {
    let m = item(d, key)?;
    let m = m.downcast::<PyDict>()?;
    let mut out = HashMap::default();
    for (k, v) in m.iter() {
        let k: String = k.extract()?;
        out.insert(syms.add(&k), bits_of(&v, words)?);
    }
    Ok(out)
}

fn zones_of(v: &Bound<'_, PyAny>) -> PyResult<Zones> {
    v.extract()
}

/// Python's `str.strip()` for an ASCII string.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| {
        matches!(
            c,
            ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r' | '\x1c'..='\x1f'
        )
    })
}

/// `f"{x:.2f}"`: the exact binary value rounded half to even, as Python's float formatting does.
fn fmt2(x: f64) -> Option<String> {
    if !x.is_finite() || x < 0.0 {
        return None;
    }
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp - 1075)
    };
    let num = (m as u128) * 100;
    let q: u128 = if e >= 0 {
        if e > 40 {
            return None;
        }
        num << e
    } else {
        let shift = (-e) as u32;
        if shift >= 127 {
            0
        } else {
            let q = num >> shift;
            let r = num & ((1u128 << shift) - 1);
            let half = 1u128 << (shift - 1);
            if r > half || (r == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        }
    };
    Some(format!("{}.{:02}", q / 100, q % 100))
}

/// Python's repr of a plain string (checked plain by the caller).
fn py_repr_list(xs: &[String]) -> String {
    let inner: Vec<String> = xs.iter().map(|x| format!("'{x}'")).collect();
    format!("[{}]", inner.join(", "))
}

fn plain_ascii(s: &str) -> bool {
    s.bytes()
        .all(|b| (0x20..0x7f).contains(&b) && b != b'\'' && b != b'\\')
}

#[inline]
fn has(v: &[u32], x: u32) -> bool {
    v.contains(&x)
}

#[pymethods]
impl Router {
    /// Build from the plain-data description made by streams/pipeline/route_native.py.
    #[new]
    fn new(spec: &Bound<'_, PyDict>) -> PyResult<Self> {
        let lower_b: Vec<u8> = item(spec, "lower")?.extract()?;
        let alnum_b: Vec<u8> = item(spec, "alnum")?.extract()?;
        if lower_b.len() != BMP * 4 || alnum_b.len() != BMP {
            return Err(PyValueError::new_err("character tables of the wrong size"));
        }
        let lower: Vec<u32> = lower_b
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect();
        let alnum: Vec<bool> = alnum_b.iter().map(|&b| b != 0).collect();
        let mut syms = Syms::default();

        // phrases and their trie
        let ph: Vec<String> = item(spec, "phrases")?.extract()?;
        let mut phrases = Vec::with_capacity(ph.len());
        let mut trie: HashMap<u64, u32> = HashMap::default();
        let mut node_term: Vec<u32> = vec![NONE];
        let mut term: Vec<(Vec<u32>, Vec<u32>)> = Vec::new();
        let mut cores: Vec<(Vec<u32>, bool)> = Vec::new();
        for (pid, p) in ph.into_iter().enumerate() {
            let prefix = p.ends_with('*');
            let core: Vec<u32> = if prefix { &p[..p.len() - 1] } else { &p[..] }
                .chars()
                .map(|c| c as u32)
                .collect();
            let mut node = 0u32;
            for &c in &core {
                let key = ((node as u64) << 32) | c as u64;
                node = match trie.get(&key) {
                    Some(&n) => n,
                    None => {
                        let n = node_term.len() as u32;
                        node_term.push(NONE);
                        trie.insert(key, n);
                        n
                    }
                };
            }
            if node_term[node as usize] == NONE {
                node_term[node as usize] = term.len() as u32;
                term.push((Vec::new(), Vec::new()));
            }
            let t = &mut term[node_term[node as usize] as usize];
            if prefix {
                t.1.push(pid as u32);
            } else {
                t.0.push(pid as u32);
            }
            phrases.push(Phrase {
                display: p,
                core_len: core.len(),
            });
            cores.push((core, prefix));
        }

        // leaves, by evidence slot
        let leaf_specs = item(spec, "leaves")?;
        let leaf_specs = leaf_specs.downcast::<PyList>()?;
        let mut leaves = Vec::with_capacity(leaf_specs.len());
        for ls in leaf_specs.iter() {
            let t = ls.downcast::<PyTuple>()?;
            let kind: String = t.get_item(0)?.extract()?;
            let leaf = match kind.as_str() {
                "entity" => {
                    let ids: Option<Vec<String>> = t.get_item(1)?.extract()?;
                    let types: Option<Vec<String>> = t.get_item(2)?.extract()?;
                    let countries: Option<Vec<String>> = t.get_item(3)?.extract()?;
                    let share_of: Option<Vec<String>> = t.get_item(10)?.extract()?;
                    Leaf::Ent(EntLeaf {
                        ids: syms.list(ids),
                        types: syms.list(types),
                        countries: syms.list(countries),
                        slot: t.get_item(4)?.extract()?,
                        where_: t.get_item(5)?.extract()?,
                        zones: zones_of(&t.get_item(6)?)?,
                        min_count: t.get_item(7)?.extract()?,
                        min_distinct: t.get_item(8)?.extract()?,
                        share: t.get_item(9)?.extract()?,
                        share_of: syms.list(share_of),
                    })
                }
                "phrase" => Leaf::Ph(PhLeaf {
                    pids: t.get_item(1)?.extract()?,
                    zones: zones_of(&t.get_item(2)?)?,
                    min_count: t.get_item(3)?.extract()?,
                }),
                "country" => {
                    let codes: Vec<String> = t.get_item(1)?.extract()?;
                    Leaf::Country(syms.list(Some(codes)).unwrap(), t.get_item(2)?.extract()?)
                }
                "source" => {
                    let v: Vec<String> = t.get_item(1)?.extract()?;
                    Leaf::Source(syms.list(Some(v)).unwrap())
                }
                "language" => {
                    let v: Vec<String> = t.get_item(1)?.extract()?;
                    Leaf::Lang(syms.list(Some(v)).unwrap())
                }
                "same_paragraph" => Leaf::Same {
                    kids: t.get_item(1)?.extract()?,
                    sorted: t.get_item(2)?.extract()?,
                    min: t.get_item(3)?.extract()?,
                },
                _ => return Err(PyValueError::new_err(format!("unknown leaf kind {kind}"))),
            };
            leaves.push(leaf);
        }
        for l in &leaves {
            if let Leaf::Same { kids, .. } = l {
                if kids
                    .iter()
                    .any(|&k| !matches!(leaves.get(k), Some(Leaf::Ent(_) | Leaf::Ph(_))))
                {
                    return Err(PyValueError::new_err(
                        "same_paragraph child is not an entity/phrase leaf",
                    ));
                }
            }
        }

        // expression nodes
        let node_specs = item(spec, "nodes")?;
        let node_specs = node_specs.downcast::<PyList>()?;
        let mut nodes = Vec::with_capacity(node_specs.len());
        for ns in node_specs.iter() {
            let t = ns.downcast::<PyTuple>()?;
            let kind: String = t.get_item(0)?.extract()?;
            nodes.push(match kind.as_str() {
                "all" => Node::All(t.get_item(1)?.extract()?),
                "any" => Node::Any(t.get_item(1)?.extract()?),
                "at_least" => Node::AtLeast(t.get_item(1)?.extract()?, t.get_item(2)?.extract()?),
                "not" => Node::Not(
                    t.get_item(1)?.extract()?,
                    t.get_item(2)?.extract()?,
                    t.get_item(3)?.extract()?,
                ),
                "ref" => Node::Ref(t.get_item(1)?.extract()?, t.get_item(2)?.extract()?),
                "leaf" => Node::Leaf(t.get_item(1)?.extract()?, t.get_item(2)?.extract()?),
                _ => return Err(PyValueError::new_err(format!("unknown node kind {kind}"))),
            });
        }
        let names: Vec<String> = item(spec, "names")?.extract()?;
        let py_names = names
            .iter()
            .map(|n| PyString::new(spec.py(), n).unbind())
            .collect();
        let roots: Vec<usize> = item(spec, "roots")?.extract()?;
        if roots.len() != names.len() {
            return Err(PyValueError::new_err("names and roots differ in length"));
        }

        // trigger plan
        let p = item(spec, "plan")?;
        let p = p.downcast::<PyDict>()?;
        let words: usize = item(p, "words")?.extract()?;
        let n_clauses: usize = item(p, "n_clauses")?.extract()?;
        let always_idx: Vec<usize> = item(p, "always")?.extract()?;
        let mut always = vec![false; names.len()];
        for i in always_idx {
            always[i] = true;
        }
        let req = item(p, "required")?;
        let required = req
            .downcast::<PyList>()?
            .iter()
            .map(|v| bits_of(&v, words))
            .collect::<PyResult<Vec<_>>>()?;
        let mut sc = HashMap::default();
        let scd = item(p, "sc")?;
        for (k, v) in scd.downcast::<PyDict>()?.iter() {
            let k: String = k.extract()?;
            let ranks = v
                .downcast::<PyList>()?
                .iter()
                .map(|b| bits_of(&b, words))
                .collect::<PyResult<Vec<_>>>()?;
            sc.insert(syms.add(&k), ranks);
        }
        let list_bits = |key: &str| -> PyResult<Vec<Bits>> {
            item(p, key)?
                .downcast::<PyList>()?
                .iter()
                .map(|b| bits_of(&b, words))
                .collect()
        };
        let plan = Plan {
            words,
            n_clauses,
            always,
            required,
            id: str_bits(p, "id", words, &mut syms)?,
            idz: str_bits(p, "idz", words, &mut syms)?,
            ec: str_bits(p, "ec", words, &mut syms)?,
            ecz: str_bits(p, "ecz", words, &mut syms)?,
            et: str_bits(p, "et", words, &mut syms)?,
            etz: str_bits(p, "etz", words, &mut syms)?,
            sc,
            ph: list_bits("ph")?,
            phh: list_bits("phh")?,
            src: str_bits(p, "src", words, &mut syms)?,
            lang: str_bits(p, "lang", words, &mut syms)?,
        };
        if plan.ph.len() != phrases.len()
            || plan.phh.len() != phrases.len()
            || plan.required.len() != names.len()
        {
            return Err(PyValueError::new_err("plan does not fit the rule set"));
        }
        if words * 64 < n_clauses + names.len() {
            return Err(PyValueError::new_err("plan too narrow"));
        }
        let words = WordFilter::new(&cores, &alnum);
        Ok(Router {
            lower,
            alnum,
            syms,
            phrases,
            trie: Trie::new(&trie, node_term),
            words,
            term,
            leaves,
            nodes,
            names,
            roots,
            plan,
            result_cls: item(spec, "result_cls")?.unbind(),
            py_names,
        })
    }

    /// `route.route()` for one story (a RouteResult), or None when this path does not cover it.
    fn route(
        &self,
        py: Python<'_>,
        headline: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
        tags: &Bound<'_, PyAny>,
        source: &Bound<'_, PyAny>,
        language: &Bound<'_, PyAny>,
    ) -> PyResult<Option<PyObject>> {
        let (Ok(entities), Ok(countries)) = (
            tags.getattr(intern!(py, "entities")),
            tags.getattr(intern!(py, "countries")),
        ) else {
            return Ok(None);
        };
        let Ok(Some(mut st)) =
            self.story(py, headline, body, &entities, &countries, source, language)
        else {
            return Ok(None);
        };
        let mut matched: Vec<usize> = Vec::new();
        for i in self.candidates(&mut st) {
            if self.route_pred(i, &mut st) {
                matched.push(i);
                self.route_reasons(i, &mut st);
            }
        }
        if st.bail {
            return Ok(None);
        }
        let routes = PyList::new(py, matched.iter().map(|&i| self.py_names[i].bind(py)))?;
        let reasons = PyDict::new(py);
        for &i in &matched {
            let rs = &st
                .reasons
                .iter()
                .find(|r| r.0 == i)
                .expect("reasons of a matched route")
                .1;
            reasons.set_item(
                self.py_names[i].bind(py),
                PyList::new(py, rs.iter().map(|s| s.as_str()))?,
            )?;
        }
        // RouteResult(routes=..., reasons=...): a plain slots dataclass (checked by route_native.py),
        // so allocating it and setting its two slots is what its __init__ does
        let cls = self.result_cls.bind(py);
        let obj = cls.call_method1(intern!(py, "__new__"), (cls,))?;
        obj.setattr(intern!(py, "routes"), routes)?;
        obj.setattr(intern!(py, "reasons"), reasons)?;
        Ok(Some(obj.unbind()))
    }

    /// Number of phrases and leaves (for tests and logs).
    fn sizes(&self) -> (usize, usize, usize) {
        (self.phrases.len(), self.leaves.len(), self.names.len())
    }
}

fn opt_str<'a>(v: &'a Bound<'_, PyAny>) -> Option<&'a str> {
    if v.is_none() {
        return Some("");
    }
    v.downcast::<PyString>().ok()?.to_str().ok()
}

impl Router {
    #[allow(clippy::too_many_arguments)]
    fn story<'py>(
        &self,
        py: Python<'py>,
        headline: &Bound<'py, PyAny>,
        body: &Bound<'py, PyAny>,
        entities: &Bound<'py, PyAny>,
        countries: &Bound<'py, PyAny>,
        source: &Bound<'py, PyAny>,
        language: &Bound<'py, PyAny>,
    ) -> PyResult<Option<Story<'py>>> {
        let (Some(head), Some(body)) = (opt_str(headline), opt_str(body)) else {
            return Ok(None);
        };
        // lower-cased headline + "\n" + body, in code points, with each character's isalnum()
        let cap = head.len() + body.len() + 1;
        let mut text: Vec<u32> = Vec::with_capacity(cap);
        let mut alnum: Vec<bool> = Vec::with_capacity(cap);
        let mut text_nl: Vec<usize> = Vec::with_capacity(16);
        if !self.lower_into(head, &mut text, &mut alnum, &mut text_nl) {
            return Ok(None);
        }
        let body_off = text.len() + 1;
        text_nl.push(text.len());
        text.push(b'\n' as u32);
        alnum.push(false);
        if !self.lower_into(body, &mut text, &mut alnum, &mut text_nl) {
            return Ok(None);
        }
        let body_nl: Vec<i64> = text_nl
            .iter()
            .filter(|&&i| i >= body_off)
            .map(|&i| (i - body_off) as i64)
            .collect();
        let hl = text_nl[0];
        let lead_t = text_nl.get(1).copied().unwrap_or(text.len());
        let lead_end = body_nl
            .first()
            .copied()
            .unwrap_or((text.len() - body_off) as i64);

        // source and language, as route.py normalises them
        let (Some(src), Some(lang)) = (opt_str(source), opt_str(language)) else {
            return Ok(None);
        };
        if !src.is_ascii() || !lang.is_ascii() {
            return Ok(None);
        }
        let src = py_strip(src).to_ascii_lowercase();
        let mut part_syms: Vec<u32> = vec![self.syms.get(&src)];
        if src.contains('/') || src.contains(',') {
            for p in src.split(['/', ',']) {
                part_syms.push(self.syms.get(py_strip(p)));
            }
        }
        let lang = py_strip(lang).to_ascii_lowercase();
        let lang = if lang.contains('-') || lang.contains('_') {
            lang.replace('_', "-")
                .split('-')
                .next()
                .unwrap_or("")
                .to_owned()
        } else {
            lang
        };

        // story countries
        let Ok(cl) = countries.downcast::<PyList>() else {
            return Ok(None);
        };
        let mut country_strs = Vec::with_capacity(cl.len());
        for c in cl.iter() {
            let Ok(s) = c.downcast::<PyString>() else {
                return Ok(None);
            };
            let s = s.to_str()?;
            if !plain_ascii(s) {
                return Ok(None);
            }
            country_strs.push(s.to_owned());
        }
        let story_countries = country_strs.iter().map(|s| self.syms.get(s)).collect();

        // entity rows
        let Ok(el) = entities.downcast::<PyList>() else {
            return Ok(None);
        };
        let n_syms = self.syms.0.len() as u32;
        let mut local_types: Vec<String> = Vec::new();
        let mut rows: Vec<Row<'py>> = Vec::with_capacity(el.len());
        let mut type_totals: Vec<(u32, i64)> = Vec::new();
        let head_s = intern!(py, "headline");
        let mut mention_list: Vec<(bool, i64)> = Vec::with_capacity(32);
        for e in el.iter() {
            let mentions = e.getattr(intern!(py, "mentions"))?;
            let Ok(ml) = mentions.downcast::<PyList>() else {
                return Ok(None);
            };
            let count: i64 = e.getattr(intern!(py, "count"))?.extract()?;
            let m0 = mention_list.len() as u32;
            let (mut nh, mut nl_, mut nb) = (0i64, 0i64, 0i64);
            let total = if ml.is_empty() {
                if count <= 0 {
                    continue;
                }
                count
            } else {
                for m in ml.iter() {
                    let f = m.getattr(intern!(py, "field"))?;
                    let is_head = f.is(head_s)
                        || match f.downcast::<PyString>() {
                            Ok(s) => s.to_str()? == "headline",
                            Err(_) => return Ok(None),
                        };
                    let start: i64 = m.getattr(intern!(py, "start"))?.extract()?;
                    if is_head {
                        nh += 1;
                    } else {
                        nb += 1;
                        if start < lead_end {
                            nl_ += 1;
                        }
                    }
                    mention_list.push((is_head, start));
                }
                let n = ml.len() as i64;
                if count > n {
                    count
                } else {
                    n
                }
            };
            let id = e.getattr(intern!(py, "id"))?.downcast_into::<PyString>()?;
            let ty = e.getattr(intern!(py, "type"))?;
            let ty = ty.downcast::<PyString>()?.to_str()?;
            let country = e.getattr(intern!(py, "country"))?;
            let country = if country.is_none() {
                NONE
            } else {
                self.syms.get(country.downcast::<PyString>()?.to_str()?)
            };
            let mut type_key = self.syms.get(ty);
            if type_key == NONE {
                type_key = match local_types.iter().position(|t| t == ty) {
                    Some(k) => n_syms + k as u32,
                    None => {
                        local_types.push(ty.to_owned());
                        n_syms + local_types.len() as u32 - 1
                    }
                };
            }
            match type_totals.iter_mut().find(|(k, _)| *k == type_key) {
                Some(t) => t.1 += total,
                None => type_totals.push((type_key, total)),
            }
            let id_sym = self.syms.get(id.to_str()?);
            rows.push(Row {
                id,
                ent: e,
                id_sym,
                type_key,
                country,
                n: [0, total, nh, nl_, nb, nh + nl_, nh + nb],
                mentions: (m0, mention_list.len() as u32),
            });
        }
        let lang_sym = self.syms.get(&lang);
        let mut st = Story {
            type_totals,
            countries: story_countries,
            country_strs,
            mentions: mention_list,
            source: src,
            parts: part_syms,
            language: lang,
            lang: lang_sym,
            text,
            alnum,
            hl,
            lead_t,
            text_nl,
            body_nl,
            hits: Vec::new(),
            bits: vec![0; self.plan.words],
            memo: vec![0; self.leaves.len()],
            rmemo: vec![0; self.names.len()],
            ev: Vec::with_capacity(16),
            reasons: Vec::with_capacity(8),
            paras: vec![None; rows.len()],
            rows,
            bail: false,
        };
        if !self.phrases.is_empty() {
            self.scan(&mut st);
        }
        Ok(Some(st))
    }

    /// Appends `s.lower()` (false when a character is not covered), its isalnum() flags and newlines.
    fn lower_into(
        &self,
        s: &str,
        text: &mut Vec<u32>,
        alnum: &mut Vec<bool>,
        nls: &mut Vec<usize>,
    ) -> bool {
        if s.is_ascii() {
            let b = s.as_bytes();
            nls.extend(memchr::memchr_iter(b'\n', b).map(|i| text.len() + i));
            text.extend(b.iter().map(|c| c.to_ascii_lowercase() as u32));
            alnum.extend(b.iter().map(|c| c.is_ascii_alphanumeric()));
            return true;
        }
        for c in s.chars() {
            let cp = c as usize;
            let low = if cp < BMP { self.lower[cp] } else { NONE };
            if low == NONE {
                return false;
            }
            if low == b'\n' as u32 {
                nls.push(text.len());
            }
            text.push(low);
            alnum.push(self.alnum[low as usize]);
        }
        true
    }

    fn scan(&self, st: &mut Story<'_>) {
        let text = &st.text;
        let alnum = &st.alnum;
        let n = text.len();
        let mut hits: Vec<(u32, u32)> = Vec::with_capacity(64);
        for s in 0..n {
            if s > 0 && alnum[s - 1] {
                continue;
            }
            if alnum[s]
                && (self.trie.step(0, text[s]) == NONE || !self.words.may_start(text, alnum, s))
            {
                continue;
            }
            let mut node = 0u32;
            for e in s..n {
                node = self.trie.step(node, text[e]);
                if node == NONE {
                    break;
                }
                let t = self.trie.nodes[node as usize].term;
                if t == NONE {
                    continue;
                }
                let (exact, prefix) = &self.term[t as usize];
                if !exact.is_empty() && (e + 1 == n || !alnum[e + 1]) {
                    hits.extend(exact.iter().map(|&p| (p, s as u32)));
                }
                hits.extend(prefix.iter().map(|&p| (p, s as u32)));
            }
        }
        hits.sort_unstable();
        for &(pid, pos) in &hits {
            or_bits(&mut st.bits, &self.plan.ph[pid as usize]);
            if (pos as usize) < st.hl {
                or_bits(&mut st.bits, &self.plan.phh[pid as usize]);
            }
        }
        st.hits = hits;
    }

    fn hits_of<'a>(&self, st: &'a Story<'_>, pid: u32) -> &'a [(u32, u32)] {
        let lo = st.hits.partition_point(|h| h.0 < pid);
        let hi = lo + st.hits[lo..].partition_point(|h| h.0 == pid);
        &st.hits[lo..hi]
    }

    /// Route indexes whose every trigger clause has an atom in the story, ascending.
    fn candidates(&self, st: &mut Story<'_>) -> Vec<usize> {
        let plan = &self.plan;
        let mut bits = std::mem::take(&mut st.bits);
        let zoned = !(plan.idz.is_empty() && plan.ecz.is_empty() && plan.etz.is_empty());
        for r in &st.rows {
            if let Some(b) = plan.id.get(&r.id_sym) {
                or_bits(&mut bits, b);
            }
            if let Some(b) = plan.ec.get(&r.country) {
                or_bits(&mut bits, b);
            }
            if let Some(b) = plan.et.get(&r.type_key) {
                or_bits(&mut bits, b);
            }
            if zoned && (r.n[2] != 0 || r.n[3] != 0) {
                if let Some(b) = plan.idz.get(&r.id_sym) {
                    or_bits(&mut bits, b);
                }
                if let Some(b) = plan.ecz.get(&r.country) {
                    or_bits(&mut bits, b);
                }
                if let Some(b) = plan.etz.get(&r.type_key) {
                    or_bits(&mut bits, b);
                }
            }
        }
        if !plan.sc.is_empty() {
            for (rank, c) in st.countries.iter().enumerate() {
                if let Some(lst) = plan.sc.get(c) {
                    let b = if rank < lst.len() {
                        &lst[rank]
                    } else {
                        &lst[lst.len() - 1]
                    };
                    or_bits(&mut bits, b);
                }
            }
        }
        if !plan.src.is_empty() && !st.source.is_empty() {
            for p in &st.parts {
                if let Some(b) = plan.src.get(p) {
                    or_bits(&mut bits, b);
                }
            }
        }
        if !plan.lang.is_empty() && !st.language.is_empty() {
            if let Some(b) = plan.lang.get(&st.lang) {
                or_bits(&mut bits, b);
            }
        }
        let nc = plan.n_clauses;
        let mut out = Vec::new();
        for i in 0..self.names.len() {
            let rb = nc + i;
            if !(plan.always[i] || bits[rb / 64] >> (rb % 64) & 1 == 1) {
                continue;
            }
            let req = &plan.required[i];
            if req.iter().zip(&bits).all(|(r, b)| r & !b == 0) {
                out.push(i);
            }
        }
        st.bits = bits;
        out
    }

    // ------------------------------------------------------------------ predicates
    fn route_pred(&self, i: usize, st: &mut Story<'_>) -> bool {
        match st.rmemo[i] {
            1 => false,
            2 => true,
            _ => {
                let v = self.pred(self.roots[i], st);
                st.rmemo[i] = 1 + v as u8;
                v
            }
        }
    }

    fn pred(&self, node: usize, st: &mut Story<'_>) -> bool {
        match &self.nodes[node] {
            Node::All(kids) => kids.iter().all(|&k| self.pred(k, st)),
            Node::Any(kids) => kids.iter().any(|&k| self.pred(k, st)),
            Node::AtLeast(n, kids) => {
                let (n, total) = (*n, kids.len());
                let mut got = 0;
                for (i, &k) in kids.iter().enumerate() {
                    if self.pred(k, st) {
                        got += 1;
                        if got >= n {
                            return true;
                        }
                    } else if got + total - i - 1 < n {
                        return false;
                    }
                }
                false
            }
            Node::Not(child, _, _) => !self.pred(*child, st),
            Node::Ref(r, _) => self.route_pred(*r, st),
            Node::Leaf(slot, _) => match st.memo[*slot] {
                1 => false,
                2 => true,
                _ => {
                    let v = self.leaf_pred(*slot, st);
                    st.memo[*slot] = 1 + v as u8;
                    v
                }
            },
        }
    }

    fn leaf_pred(&self, slot: usize, st: &mut Story<'_>) -> bool {
        match &self.leaves[slot] {
            Leaf::Ent(c) => ent_pred(c, st),
            Leaf::Ph(c) => self.ph_pred(c, st),
            Leaf::Country(codes, top) => {
                let lim = top.unwrap_or(st.countries.len()).min(st.countries.len());
                st.countries[..lim].iter().any(|c| has(codes, *c))
            }
            Leaf::Source(names) => st.parts.iter().any(|p| has(names, *p)),
            Leaf::Lang(codes) => has(codes, st.lang),
            Leaf::Same { sorted, min, .. } => {
                let mut common: Option<Vec<i64>> = None;
                for &k in sorted {
                    let ps = self.para_set(k, st);
                    let c = match common {
                        None => ps,
                        Some(c) => c.into_iter().filter(|p| ps.contains(p)).collect(),
                    };
                    if c.len() < *min {
                        return false;
                    }
                    common = Some(c);
                }
                true
            }
        }
    }

    fn ph_pred(&self, c: &PhLeaf, st: &Story<'_>) -> bool {
        let mut n = 0i64;
        match c.zones {
            None => {
                for &pid in &c.pids {
                    let h = self.hits_of(st, pid);
                    if h.is_empty() {
                        continue;
                    }
                    n += h.len() as i64;
                    if n >= c.min_count {
                        return true;
                    }
                }
            }
            Some((zh, zl, zb)) => {
                let in_lead = zb || zl;
                for &pid in &c.pids {
                    for &(_, pos) in self.hits_of(st, pid) {
                        let pos = pos as usize;
                        let ok = if pos < st.hl {
                            zh
                        } else if pos < st.lead_t {
                            in_lead
                        } else {
                            zb
                        };
                        if ok {
                            n += 1;
                            if n >= c.min_count {
                                return true;
                            }
                        }
                    }
                }
            }
        }
        false
    }

    /// Paragraphs (headline = -1) holding a same_paragraph child's entities/phrases, sorted.
    fn para_set(&self, slot: usize, st: &mut Story<'_>) -> Vec<i64> {
        let mut out: Vec<i64> = Vec::new();
        match &self.leaves[slot] {
            Leaf::Ent(c) => {
                let (in_head, in_lead, in_body) = ent_para_zones(c.zones);
                for ri in 0..st.rows.len() {
                    if !ent_filter(c, &st.rows[ri]) {
                        continue;
                    }
                    let ps = row_paras(st, ri);
                    for &p in ps.iter() {
                        if c.zones.is_none() || zone_ok(p, in_head, in_lead, in_body) {
                            out.push(p);
                        }
                    }
                }
            }
            Leaf::Ph(c) => {
                let (in_head, in_lead, in_body) = match c.zones {
                    None => (true, false, true),
                    Some((h, l, b)) => (h, b || l, b),
                };
                for &pid in &c.pids {
                    for &(_, pos) in self.hits_of(st, pid) {
                        let pos = pos as usize;
                        if pos < st.hl {
                            if in_head {
                                out.push(HEADLINE);
                            }
                        } else if in_body || (in_lead && pos < st.lead_t) {
                            out.push(st.text_nl.partition_point(|&x| x < pos) as i64);
                        }
                    }
                }
            }
            _ => {}
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    // ------------------------------------------------------------------ reasons and evidence
    fn route_reasons(&self, i: usize, st: &mut Story<'_>) {
        if !st.reasons.iter().any(|r| r.0 == i) {
            let mut out = Vec::new();
            self.reasons(self.roots[i], st, &mut out);
            st.reasons.push((i, out));
        }
    }

    fn push_leaf(&self, head: &str, slot: usize, st: &mut Story<'_>, out: &mut Vec<String>) {
        self.evidence(slot, st);
        let ev = st
            .ev
            .iter()
            .find(|e| e.0 == slot)
            .map_or("", |e| e.1.as_str());
        let mut r = String::with_capacity(head.len() + ev.len());
        r.push_str(head);
        r.push_str(ev);
        out.push(r);
    }

    fn reasons(&self, node: usize, st: &mut Story<'_>, out: &mut Vec<String>) {
        match &self.nodes[node] {
            Node::All(kids) => {
                for &k in kids {
                    self.reasons(k, st, out);
                }
            }
            Node::Any(kids) | Node::AtLeast(_, kids) => {
                let need = match &self.nodes[node] {
                    Node::AtLeast(n, _) => *n,
                    _ => 1,
                };
                let mut n = 0;
                for &k in kids {
                    if self.pred(k, st) {
                        self.reasons(k, st, out);
                        n += 1;
                        if n >= need {
                            break;
                        }
                    }
                }
            }
            Node::Not(child, head, fixed) => {
                if *fixed {
                    out.push(head.clone());
                } else if let Node::Leaf(slot, _) = &self.nodes[*child] {
                    self.push_leaf(head, *slot, st, out);
                } else {
                    st.bail = true;
                }
            }
            Node::Ref(r, head) => {
                self.route_reasons(*r, st);
                let joined = st
                    .reasons
                    .iter()
                    .find(|x| x.0 == *r)
                    .map(|x| x.1.join("; "))
                    .unwrap_or_default();
                out.push(format!("{head}{joined}"));
            }
            Node::Leaf(slot, head) => self.push_leaf(head, *slot, st, out),
        }
    }

    fn evidence(&self, slot: usize, st: &mut Story<'_>) {
        if st.ev.iter().any(|e| e.0 == slot) {
            return;
        }
        let ev = match &self.leaves[slot] {
            Leaf::Ent(c) => ent_evidence(c, st),
            Leaf::Ph(c) => self.ph_evidence(c, st),
            Leaf::Country(codes, top) => {
                let lim = top.unwrap_or(st.countries.len()).min(st.countries.len());
                let ranked: Vec<String> = (0..lim)
                    .filter(|&i| has(codes, st.countries[i]))
                    .map(|i| format!("{} #{}", st.country_strs[i], i + 1))
                    .collect();
                if ranked.is_empty() {
                    let n = st.country_strs.len().min(8);
                    if n == 0 {
                        "story countries are empty".to_owned()
                    } else {
                        format!(
                            "story countries are {}",
                            py_repr_list(&st.country_strs[..n])
                        )
                    }
                } else {
                    format!("story countries: {}", ranked.join(", "))
                }
            }
            Leaf::Source(_) => format!("source is '{}'", st.source),
            Leaf::Lang(_) => {
                format!(
                    "language is '{}'",
                    if st.language.is_empty() {
                        "unknown"
                    } else {
                        &st.language
                    }
                )
            }
            Leaf::Same { kids, .. } => self.same_evidence(kids, st),
        };
        st.ev.push((slot, ev));
    }

    fn ph_evidence(&self, c: &PhLeaf, st: &Story<'_>) -> String {
        let mut found: Vec<(u32, u32)> = Vec::new(); // (pos, pid)
        let (in_head, in_lead, in_body) = match c.zones {
            None => (true, true, true),
            Some((h, l, b)) => (h, b || l, b),
        };
        for &pid in &c.pids {
            for &(_, pos) in self.hits_of(st, pid) {
                let p = pos as usize;
                let ok = if p < st.hl {
                    in_head
                } else if p < st.lead_t {
                    in_lead
                } else {
                    in_body
                };
                if ok {
                    found.push((pos, pid));
                }
            }
        }
        if found.is_empty() {
            return "no phrase found".to_owned();
        }
        found.sort_unstable();
        let text = &st.text;
        let n = text.len();
        let mut counts: Vec<(Cow<'_, str>, usize)> = Vec::new();
        for (pos, pid) in found {
            let ph = &self.phrases[pid as usize];
            let word = if ph.display.ends_with('*') {
                let start = pos as usize;
                let mut end = start + ph.core_len;
                while end < n && st.alnum[end] {
                    end += 1;
                }
                Cow::Owned(
                    text[start..end]
                        .iter()
                        .map(|&c| char::from_u32(c).unwrap_or('\u{fffd}'))
                        .collect(),
                )
            } else {
                Cow::Borrowed(ph.display.as_str())
            };
            match counts.iter_mut().find(|(w, _)| *w == word) {
                Some(x) => x.1 += 1,
                None => counts.push((word, 1)),
            }
        }
        let mut ev = String::with_capacity(64);
        ev.push_str("found ");
        for (j, (w, k)) in counts.iter().enumerate() {
            if j > 0 {
                ev.push_str(", ");
            }
            ev.push('\'');
            ev.push_str(w);
            ev.push('\'');
            if *k > 1 {
                let _ = write!(ev, " x{k}");
            }
        }
        ev
    }

    /// `_paragraphs`: paragraph -> names, in first-seen order.
    fn paragraphs(&self, slot: usize, st: &mut Story<'_>) -> Vec<(i64, Vec<String>)> {
        let mut paras: Vec<(i64, Vec<String>)> = Vec::new();
        match &self.leaves[slot] {
            Leaf::Ent(c) => {
                let (in_head, in_lead, in_body) = ent_para_zones(c.zones);
                for ri in select(c, st) {
                    let Some(name) = row_name(&st.rows[ri]) else {
                        st.bail = true;
                        return paras;
                    };
                    let ps = row_paras(st, ri);
                    for &p in ps.iter() {
                        if c.zones.is_some() && !zone_ok(p, in_head, in_lead, in_body) {
                            continue;
                        }
                        match paras.iter_mut().find(|(q, _)| *q == p) {
                            None => paras.push((p, vec![name.clone()])),
                            Some((_, names)) => {
                                if !names.contains(&name) {
                                    names.push(name.clone());
                                }
                            }
                        }
                    }
                }
            }
            Leaf::Ph(c) => {
                let (in_head, in_lead, in_body) = match c.zones {
                    None => (true, true, true),
                    Some((h, l, b)) => (h, b || l, b),
                };
                for &pid in &c.pids {
                    for &(_, pos) in self.hits_of(st, pid) {
                        let pos = pos as usize;
                        let ok = if pos < st.hl {
                            in_head
                        } else {
                            in_body || (in_lead && pos < st.lead_t)
                        };
                        if !ok {
                            continue;
                        }
                        let p = if pos < st.hl {
                            HEADLINE
                        } else {
                            st.text_nl.partition_point(|&x| x < pos) as i64
                        };
                        let w = format!("'{}'", self.phrases[pid as usize].display);
                        match paras.iter_mut().find(|(q, _)| *q == p) {
                            None => paras.push((p, vec![w])),
                            Some((_, names)) => names.push(w),
                        }
                    }
                }
            }
            _ => st.bail = true,
        }
        paras
    }

    fn same_evidence(&self, kids: &[usize], st: &mut Story<'_>) -> String {
        let mut common: Option<Vec<i64>> = None;
        let mut per: Vec<Vec<(i64, Vec<String>)>> = Vec::new();
        for &k in kids {
            let paras = self.paragraphs(k, st);
            let keys: Vec<i64> = paras.iter().map(|(p, _)| *p).collect();
            per.push(paras);
            let c = match common {
                None => keys,
                Some(c) => c.into_iter().filter(|p| keys.contains(p)).collect(),
            };
            let empty = c.is_empty();
            common = Some(c);
            if empty {
                break;
            }
        }
        let mut common = common.unwrap_or_default();
        if common.is_empty() {
            return "no paragraph has all of them".to_owned();
        }
        common.sort_unstable();
        let mut shown = Vec::new();
        for &p in common.iter().take(3) {
            let label = if p == HEADLINE {
                "headline".to_owned()
            } else {
                format!("paragraph {p}")
            };
            let names: Vec<String> = per
                .iter()
                .map(|d| {
                    let ns = &d
                        .iter()
                        .find(|(q, _)| *q == p)
                        .expect("a common paragraph")
                        .1;
                    ns[..ns.len().min(3)].join(", ")
                })
                .collect();
            shown.push(format!("{label}: {}", names.join("; ")));
        }
        let more = if common.len() > 3 {
            format!(" (+{} more)", common.len() - 3)
        } else {
            String::new()
        };
        format!("{}{more}", shown.join(" | "))
    }
}

#[inline]
fn or_bits(dst: &mut [u64], src: &[u64]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d |= s;
    }
}

#[inline]
fn ent_filter(c: &EntLeaf, r: &Row<'_>) -> bool {
    c.ids.as_ref().is_none_or(|v| has(v, r.id_sym))
        && c.types.as_ref().is_none_or(|v| has(v, r.type_key))
        && c.countries.as_ref().is_none_or(|v| has(v, r.country))
}

fn ent_para_zones(zones: Zones) -> (bool, bool, bool) {
    match zones {
        None => (true, true, true),
        Some((h, l, b)) => (h, b || l, b),
    }
}

#[inline]
fn zone_ok(p: i64, in_head: bool, in_lead: bool, in_body: bool) -> bool {
    if p == HEADLINE {
        in_head
    } else if p == 1 {
        in_lead
    } else {
        in_body
    }
}

/// The paragraph of each mention of a row's entity (headline = -1, body paragraphs from 1).
fn row_paras<'a>(st: &'a mut Story<'_>, ri: usize) -> &'a [i64] {
    if st.paras[ri].is_none() {
        st.paras[ri] = Some(mention_paras(st, ri));
    }
    st.paras[ri].as_deref().unwrap_or_default()
}

fn mention_paras(st: &Story<'_>, ri: usize) -> Vec<i64> {
    let (a, b) = st.rows[ri].mentions;
    st.mentions[a as usize..b as usize]
        .iter()
        .map(|&(head, start)| {
            if head {
                HEADLINE
            } else {
                st.body_nl.partition_point(|&x| x <= start) as i64 + 1
            }
        })
        .collect()
}

/// The entity's name (`str`), read from the entity when evidence lists it.
fn row_name(r: &Row<'_>) -> Option<String> {
    let n = r.ent.getattr(intern!(r.ent.py(), "name")).ok()?;
    Some(n.downcast::<PyString>().ok()?.to_str().ok()?.to_owned())
}

fn type_total(st: &Story<'_>, ty: u32) -> i64 {
    st.type_totals
        .iter()
        .find(|(k, _)| *k == ty)
        .map_or(0, |t| t.1)
}

fn ent_pred(c: &EntLeaf, st: &Story<'_>) -> bool {
    let plain = c.min_distinct == 1 && c.share.is_none();
    let (mut total, mut distinct) = (0i64, 0i64);
    let mut counted: Vec<usize> = Vec::new();
    for (ri, r) in st.rows.iter().enumerate() {
        if !ent_filter(c, r) {
            continue;
        }
        let n = r.n[c.slot];
        if n != 0 {
            total += n;
            if plain {
                if total >= c.min_count {
                    return true;
                }
            } else {
                distinct += 1;
                counted.push(ri);
            }
        }
    }
    if plain || total < c.min_count || distinct < c.min_distinct {
        return false;
    }
    let Some(share) = c.share else {
        return true;
    };
    let (mut num, mut denom) = (0i64, 0i64);
    match &c.share_of {
        None => {
            let mut seen: Vec<u32> = Vec::new();
            for &ri in &counted {
                let r = &st.rows[ri];
                num += r.n[1];
                if !seen.contains(&r.type_key) {
                    seen.push(r.type_key);
                    denom += type_total(st, r.type_key);
                }
            }
        }
        Some(of) => {
            for &ri in &counted {
                if has(of, st.rows[ri].type_key) {
                    num += st.rows[ri].n[1];
                }
            }
            for &ty in of {
                denom += type_total(st, ty);
            }
        }
    }
    (if denom != 0 {
        num as f64 / denom as f64
    } else {
        0.0
    }) >= share
}

/// `_select`: the rows a clause selects, in the order route.py lists ties.
fn select(c: &EntLeaf, st: &Story<'_>) -> Vec<usize> {
    let rows = &st.rows;
    let pool: Vec<usize> = if let Some(ids) = &c.ids {
        if ids.len() < rows.len() {
            let mut pool = Vec::new();
            for &i in ids {
                pool.extend((0..rows.len()).filter(|&ri| rows[ri].id_sym == i));
            }
            if c.types.is_none() && c.countries.is_none() {
                return pool;
            }
            pool
        } else {
            (0..rows.len()).collect()
        }
    } else if let Some(cs) = &c.countries {
        let mut pool = Vec::new();
        for &k in cs {
            pool.extend((0..rows.len()).filter(|&ri| rows[ri].country == k));
        }
        if c.types.is_none() {
            return pool;
        }
        pool
    } else {
        (0..rows.len()).collect()
    };
    pool.into_iter()
        .filter(|&ri| ent_filter(c, &rows[ri]))
        .collect()
}

fn ent_evidence(c: &EntLeaf, st: &mut Story<'_>) -> String {
    let want_share = c.share.is_some();
    let mut own_types: Vec<u32> = Vec::new();
    let mut order: Vec<(i64, String, usize, usize)> = Vec::new(); // (-count, name, k, row)
    let (mut total, mut k, mut num) = (0i64, 0usize, 0i64);
    let sel = select(c, st);
    let mut bail = false;
    for ri in sel {
        let r = &st.rows[ri];
        let n = r.n[c.slot];
        if n > 0 {
            let Some(name) = row_name(r) else {
                bail = true;
                continue;
            };
            order.push((-n, name, k, ri));
            total += n;
            k += 1;
            if want_share {
                match &c.share_of {
                    None => {
                        num += r.n[1];
                        if !own_types.contains(&r.type_key) {
                            own_types.push(r.type_key);
                        }
                    }
                    Some(of) => {
                        if has(of, r.type_key) {
                            num += r.n[1];
                        }
                    }
                }
            }
        }
    }
    if k == 0 {
        st.bail |= bail;
        return format!("no matching entity{}", c.where_);
    }
    let mut share_s = None;
    if want_share {
        let tys: &[u32] = match &c.share_of {
            None => &own_types,
            Some(of) => of,
        };
        let denom: i64 = tys.iter().map(|&t| type_total(st, t)).sum();
        let share = if denom != 0 {
            num as f64 / denom as f64
        } else {
            0.0
        };
        match fmt2(share) {
            Some(s) => share_s = Some(s),
            None => bail = true,
        }
    }
    if k > 1 {
        order.sort();
    }
    let mut ev = String::with_capacity(160);
    for (j, o) in order.iter().take(6).enumerate() {
        let Ok(id) = st.rows[o.3].id.to_str() else {
            bail = true;
            continue;
        };
        if j > 0 {
            ev.push_str(", ");
        }
        let _ = write!(ev, "{} ({}) x{}", o.1, id, -o.0);
    }
    if k > 6 {
        let _ = write!(ev, ", ... +{}", k - 6);
    }
    let _ = write!(
        ev,
        "; {total} mention{}{}",
        if total != 1 { "s" } else { "" },
        c.where_
    );
    if let Some(s) = share_s {
        ev.push_str("; share ");
        ev.push_str(&s);
    }
    st.bail |= bail;
    ev
}
