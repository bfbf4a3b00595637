//! Compiled fast path of wirefeed's entity tagger.
//!
//! `streams/pipeline/tag.py` is the specification: every function here mirrors one there (same name
//! without the leading underscore) and must return exactly what it returns. Python builds the KB and
//! hands this module plain data once (streams/pipeline/tag_native.py); texts are handled only when
//! every character is Latin-1 or one of the wide punctuation marks `fast_normalise` replaces, so that
//! the character classes below (computed by Python's own `str` methods) cover the whole text. For any
//! other text `Tagger.tag` returns None and the caller runs the Python path.
//!
//! Key matching: the Python side runs pyahocorasick over the normalised text; here a byte trie of
//! the same keys is walked from the word starts whose first word begins some key (a 64K-bit filter
//! over a hash of the word), which finds the same occurrences: keys are padded with spaces there, so
//! every occurrence starts and ends on a word boundary.

mod item;
mod dedup;
mod dedup_index;
mod key_filter;
mod route;
mod text;
mod rules;

use memchr::memmem;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use pyo3::IntoPyObject;
use std::hash::{BuildHasherDefault, Hasher};

/// Fx hash (as in rustc): the maps here hold small integer and short string keys.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for Fx {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap()));
        }
        for &b in chunks.remainder() {
            self.add(b as u64);
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
}

type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<Fx>>;
type HashSet<K> = std::collections::HashSet<K, BuildHasherDefault<Fx>>;

// Character classes, as Python's str methods give them for one character.
const C_UPPER: u8 = 1;
const C_LOWER: u8 = 2;
const C_ALPHA: u8 = 4;
const C_ALNUM: u8 = 8;
const C_DIGIT: u8 = 16;
const C_SPACE: u8 = 32;
const C_PRINT: u8 = 64;
const C_WORD: u8 = 128; // re's \w: isalnum() or "_"

// Alias flags and per-key rules (streams/pipeline/kb.py; checked by the Python side).
const EXACT: u32 = 1;
const CAP: u32 = 2;
const GATED: u32 = 4;
const PARTIAL: u32 = 8;
const DEMONYM: u32 = 16;
const COMMON: u32 = 32;
const CASE_CAP: u8 = 0;
const CASE_EXACT: u8 = 1;
const TAIL_NONE: u8 = 0;
const TAIL_DOT: u8 = 1;
const TAIL_OTHER: u8 = 2;
const SETTLE_FULL: u8 = 0;
const SETTLE_TAKE: u8 = 1;
const SETTLE_PLACE: u8 = 2;

const HEAD: u8 = 0;
const BODY: u8 = 1;
const LEAD_CHARS: usize = 300;
const COUNTRY_MIN: f64 = 2.0;
const COUNTRY_REL: f64 = 0.25;

const GLUED_NONE: u8 = 0;
const GLUED_NEXT: u8 = 1;
const GLUED_PREV: u8 = 2;

struct Chars {
    flags: [u8; 256],
    lower: [char; 256],
    norm: [u8; 256],
    wide: Vec<(char, u8)>,
    fold: HashMap<char, String>,
}

impl Chars {
    #[inline]
    fn f(&self, c: char) -> u8 {
        let u = c as u32;
        if u < 256 {
            self.flags[u as usize]
        } else {
            for &(w, f) in &self.wide {
                if w == c {
                    return f;
                }
            }
            0
        }
    }
    #[inline]
    fn known(&self, c: char) -> bool {
        (c as u32) < 256 || self.wide.iter().any(|&(w, _)| w == c)
    }
    #[inline]
    fn lower(&self, c: char) -> char {
        let u = c as u32;
        if u < 256 {
            self.lower[u as usize]
        } else {
            c // wide punctuation lower-cases to itself (checked by the Python side)
        }
    }
    #[inline]
    fn norm(&self, c: char) -> u8 {
        let u = c as u32;
        if u < 256 {
            self.norm[u as usize]
        } else {
            b' '
        }
    }
    #[inline]
    fn is(&self, c: char, class: u8) -> bool {
        self.f(c) & class != 0
    }
}

struct Ent {
    id_py: Py<PyString>,
    name_py: Py<PyString>,
    type_py: Py<PyString>,
    country: Option<String>, // only when truthy
    country_py: PyObject,
    person: bool,
    place: bool,
    ctx: Vec<Vec<u8>>,
    anti: Vec<Vec<u8>>,
    alone: bool,
    name_like: bool,
    factor: f64,
}

struct Cand {
    ent: u32,
    head: Vec<char>,
    tail: Vec<char>,
    flags: u32,
    norm_alias: String,
    daymonth: bool,
}

struct Key {
    length: usize,
    cands: Vec<u32>,
    case: u8,
    head: Vec<char>,
    tail: u8,
    settle: u8,
    person: Option<u32>,
    name_like: bool,
}

struct Hit {
    start: usize,
    end: usize,
    key: u32,
    own: Option<Vec<u32>>, // candidates left by the case/tail rules, when fewer than the key's
    settle: u8,
    mi: bool, // the key's MatchInfo applies (no candidate removed)
}

/// Byte trie of the normalised keys, walked from every word start of the normalised text: a key
/// occurs where its walk reaches the key's node at the end of a word. Same occurrences as the
/// Aho-Corasick automaton over space-padded keys, but each walk stops after a few bytes on ordinary
/// words and touches a small, hot part of the table (a full DFA over the 3,400 keys is several MB
/// and its walk is bound by cache misses).
struct Trie {
    root: [u32; 256],
    nodes: Vec<Node>, // breadth-first, so the shallow nodes every walk visits share cache lines
    edge_bytes: Vec<u8>,
    edge_next: Vec<u32>,
    class: [u8; 256], // byte class for dense rows; 0: byte in no key
    n_class: usize,
    dense: Vec<u32>,
    first: Vec<u64>, // bitmap over a hash of the first word of every key: most text words skip the walk
}

/// Hash of a word from its length and first eight bytes.
#[inline]
fn word_hash(w: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let k = w.len().min(8);
    buf[..k].copy_from_slice(&w[..k]);
    (u64::from_le_bytes(buf) ^ ((w.len() as u64) << 59)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

#[inline]
fn word_bit(h: u64) -> usize {
    (h >> 48) as usize
}

#[derive(Clone, Copy)]
struct Node {
    key: u32, // pattern index ending here, or NONE
    row: u32, // dense row (nodes with many children), or NONE
    lo: u32,  // sparse edges otherwise
    hi: u32,
}

const NONE: u32 = u32::MAX;

impl Trie {
    fn new(patterns: &[Vec<u8>]) -> Trie {
        let mut children: Vec<Vec<(u8, u32)>> = vec![Vec::new()];
        let mut key: Vec<u32> = vec![NONE];
        for (pi, p) in patterns.iter().enumerate() {
            let mut node = 0usize;
            for &b in p {
                let found = children[node].iter().find(|c| c.0 == b).map(|c| c.1);
                node = match found {
                    Some(n) => n as usize,
                    None => {
                        let n = children.len();
                        children.push(Vec::new());
                        key.push(NONE);
                        children[node].push((b, n as u32));
                        n
                    }
                };
            }
            key[node] = pi as u32;
        }
        // breadth-first renumbering
        let mut order: Vec<usize> = vec![0];
        let mut i = 0;
        while i < order.len() {
            let n = order[i];
            children[n].sort_unstable();
            for &(_, c) in &children[n] {
                order.push(c as usize);
            }
            i += 1;
        }
        let mut new_id = vec![0u32; children.len()];
        for (k, &n) in order.iter().enumerate() {
            new_id[n] = k as u32;
        }
        let mut class = [0u8; 256];
        let mut n_class = 1usize;
        for p in patterns {
            for &b in p {
                if class[b as usize] == 0 {
                    class[b as usize] = n_class as u8;
                    n_class += 1;
                }
            }
        }
        let mut root = [NONE; 256];
        let mut nodes = Vec::with_capacity(order.len());
        let mut edge_bytes = Vec::new();
        let mut edge_next = Vec::new();
        let mut dense: Vec<u32> = Vec::new();
        for &n in &order {
            let ch = &children[n];
            let mut node = Node {
                key: key[n],
                row: NONE,
                lo: edge_bytes.len() as u32,
                hi: 0,
            };
            for &(b, c) in ch {
                edge_bytes.push(b);
                edge_next.push(new_id[c as usize]);
            }
            node.hi = edge_bytes.len() as u32;
            if ch.len() > 3 {
                node.row = (dense.len() / n_class) as u32;
                let base = dense.len();
                dense.resize(base + n_class, NONE);
                for &(b, c) in ch {
                    dense[base + class[b as usize] as usize] = new_id[c as usize];
                }
            }
            nodes.push(node);
        }
        for &(b, c) in &children[0] {
            root[b as usize] = new_id[c as usize];
        }
        let mut first = vec![0u64; 1024];
        for p in patterns {
            let len = p.iter().position(|&b| b == b' ').unwrap_or(p.len());
            let i = word_bit(word_hash(&p[..len]));
            first[i >> 6] |= 1 << (i & 63);
        }
        Trie {
            root,
            nodes,
            edge_bytes,
            edge_next,
            class,
            n_class,
            dense,
            first,
        }
    }

    /// (start, pattern) for every key occurring in `norm` between word boundaries.
    fn occurrences(&self, norm: &[u8]) -> Vec<(usize, u32)> {
        let mut out = Vec::with_capacity(96);
        let n = norm.len();
        // bitmap of spaces, 64 bytes per word; positions past the end count as spaces
        let nw = n.div_ceil(64);
        let mut sp: Vec<u64> = vec![0; nw + 1];
        for (w, chunk) in norm.chunks(64).enumerate() {
            let mut m = 0u64;
            for (j, &b) in chunk.iter().enumerate() {
                m |= ((b == b' ') as u64) << j;
            }
            sp[w] = m;
        }
        if !n.is_multiple_of(64) {
            sp[nw - 1] |= !0u64 << (n % 64);
        }
        sp[nw] = !0;
        let mut prev = 1u64; // the position before the text is a boundary
        for w in 0..nw {
            let s = sp[w];
            let mut starts = !s & ((s << 1) | prev);
            prev = s >> 63;
            while starts != 0 {
                let j = starts.trailing_zeros() as usize;
                starts &= starts - 1;
                let p = w * 64 + j;
                // end of the word: next space
                let mut ww = w;
                let mut rest = sp[w] & (!0u64 << j);
                while rest == 0 {
                    ww += 1;
                    rest = sp[ww];
                }
                let e = ww * 64 + rest.trailing_zeros() as usize;
                let i = word_bit(word_hash(&norm[p..e]));
                if self.first[i >> 6] >> (i & 63) & 1 == 0 {
                    continue; // no key starts with this word
                }
                let mut id = self.root[norm[p] as usize];
                let mut q = p + 1;
                while id != NONE {
                    let node = self.nodes[id as usize];
                    if node.key != NONE && (q == n || norm[q] == b' ') {
                        out.push((p, node.key));
                    }
                    if q == n {
                        break;
                    }
                    let b = norm[q];
                    if node.row != NONE {
                        id = self.dense
                            [node.row as usize * self.n_class + self.class[b as usize] as usize];
                    } else {
                        id = NONE;
                        for e in node.lo..node.hi {
                            if self.edge_bytes[e as usize] == b {
                                id = self.edge_next[e as usize];
                                break;
                            }
                        }
                    }
                    q += 1;
                }
            }
        }
        out
    }
}

struct Words {
    free: HashSet<String>,
    role_or_title: HashSet<String>,
    roles: HashSet<String>,
    trail_strip: HashSet<String>,
    foreign_particles: HashSet<String>,
    appos_openers: HashSet<String>,
    non_name: HashSet<String>,
    month_preps: HashSet<String>,
    particles: Vec<Vec<char>>, // longest first
}

#[pyclass(frozen, module = "wirefeed_native")]
struct Tagger {
    ch: Chars,
    trie: Trie,
    ac_keys: Vec<u32>, // automaton pattern -> key index
    keys: Vec<Key>,
    cands: Vec<Cand>,
    ents: Vec<Ent>,
    id_to_ent: HashMap<String, u32>,
    words: Words,
    dateline: HashMap<Vec<u8>, u32>,
    entity_cls: PyObject,
    mention_cls: PyObject,
    result_cls: PyObject,
    entity_fields: Vec<Slot>,  // Entity's dataclass fields, in order
    mention_fields: Vec<Slot>, // Mention's
    s_headline: Py<PyString>,
    s_body: Py<PyString>,
    s_person: Py<PyString>,
    s_id: Py<PyString>,
    s_name: Py<PyString>,
    s_country: Py<PyString>,
    s_first_seen: Py<PyString>,
    s_get: Py<PyString>,
}

struct Rec {
    id: String,
    name: String,
    country: Option<String>,
    country_py: PyObject,
}

enum Meta {
    Kb(u32),
    Disc {
        id: String,
        name: String,
        country: Option<String>,
        country_py: PyObject,
    },
}

struct Acc {
    meta: Meta,
    ms: Vec<(u8, usize, usize)>,
    unordered: bool,
}

#[derive(Default)]
struct Accs {
    list: Vec<Acc>,
    by_ent: HashMap<u32, usize>,
    by_id: HashMap<String, usize>,
}

struct Story {
    ctx_text: Vec<u8>,
    full_ids: HashSet<u32>,
    as_name: HashSet<String>,
    ctx: HashMap<u32, usize>,
}

type Resolved = (usize, usize, u32);
/// (field, start, end)
type Mentions = Vec<(u8, usize, usize)>;

struct Spans {
    starts: Vec<usize>,
    ends: Vec<usize>,
    ents: Vec<u32>,
}

fn find(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() {
        return if from <= hay.len() { Some(from) } else { None };
    }
    if hay.len() < needle.len() {
        return None;
    }
    let last = hay.len() - needle.len();
    let mut i = from;
    while i <= last {
        if hay[i] == needle[0] && hay[i..i + needle.len()] == *needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn rfind(hay: &[char], needle: &[char]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()] == *needle)
}

fn rfind_char(hay: &[char], c: char, lo: usize, hi: usize) -> isize {
    let hi = hi.min(hay.len());
    let mut i = hi;
    while i > lo {
        i -= 1;
        if hay[i] == c {
            return i as isize;
        }
    }
    -1
}

#[inline]
fn starts_with_at(t: &[char], pat: &[char], at: usize) -> bool {
    at <= t.len() && t.len() - at >= pat.len() && t[at..at + pat.len()] == *pat
}

fn is_dot(tail: &[char]) -> bool {
    tail.len() == 1 && tail[0] == '.'
}

fn ends_with_s(w: &[char]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == 's' && (w[n - 2] == '\'' || w[n - 2] == '’')
}

fn to_string(s: &[char]) -> String {
    s.iter().collect()
}

fn chars_of(s: &str) -> Vec<char> {
    s.chars().collect()
}

impl Spans {
    fn new(res: &[Resolved], tg: &Tagger) -> Spans {
        Spans {
            starts: res.iter().map(|r| r.0).collect(),
            ends: res.iter().map(|r| r.1).collect(),
            ents: res.iter().map(|r| tg.cands[r.2 as usize].ent).collect(),
        }
    }
    fn cover_end(&self, pos: usize) -> isize {
        let i = self.starts.partition_point(|&a| a <= pos) as isize - 1;
        if i >= 0 && self.ends[i as usize] > pos {
            self.ends[i as usize] as isize
        } else {
            -1
        }
    }
    fn overlaps(&self, lo: usize, hi: usize) -> bool {
        let i = self.starts.partition_point(|&a| a < hi) as isize - 1;
        i >= 0 && self.ends[i as usize] > lo
    }
    fn country_near<'a>(&self, tg: &'a Tagger, lo: isize, hi: isize) -> Option<&'a Ent> {
        let hi = hi.max(0) as usize;
        let mut i = self.starts.partition_point(|&a| a < hi) as isize - 1;
        while i >= 0 && self.starts[i as usize] as isize >= lo {
            let ent = &tg.ents[self.ents[i as usize] as usize];
            if !ent.person && ent.country.is_some() {
                return Some(ent);
            }
            i -= 1;
        }
        None
    }
    fn name_room(&self, t: &[char], lo: usize, hi: usize) -> bool {
        let mut i = self.ends.partition_point(|&a| a <= lo);
        let n = self.starts.len();
        let mut pos = lo;
        while i < n && self.starts[i] < hi {
            if inner_space(t, pos, self.starts[i]) {
                return true;
            }
            pos = self.ends[i];
            i += 1;
        }
        inner_space(t, pos, hi)
    }
}

/// `" " in text[a:b].strip(" ")`
fn inner_space(t: &[char], a: usize, b: usize) -> bool {
    let b = b.min(t.len());
    if a >= b {
        return false;
    }
    let s = &t[a..b];
    let lo = match s.iter().position(|&c| c != ' ') {
        Some(i) => i,
        None => return false,
    };
    let hi = s.iter().rposition(|&c| c != ' ').unwrap();
    s[lo..hi].contains(&' ')
}

impl Tagger {
    fn lower_str(&self, s: &[char]) -> String {
        s.iter().map(|&c| self.ch.lower(c)).collect()
    }

    /// `s.lower() in set`, without allocating for ordinary words.
    fn has_lower(&self, set: &HashSet<String>, s: &[char]) -> bool {
        if s.len() > 24 {
            return set.contains(&self.lower_str(s));
        }
        let mut buf = [0u8; 96];
        let mut n = 0;
        for &c in s {
            n += self.ch.lower(c).encode_utf8(&mut buf[n..]).len();
        }
        match std::str::from_utf8(&buf[..n]) {
            Ok(w) => set.contains(w),
            Err(_) => false,
        }
    }

    fn str_isupper(&self, s: &[char]) -> bool {
        let mut cased = false;
        for &c in s {
            let f = self.ch.f(c);
            if f & C_LOWER != 0 {
                return false;
            }
            if f & C_UPPER != 0 {
                cased = true;
            }
        }
        cased
    }

    fn first_upper(&self, s: &[char]) -> bool {
        !s.is_empty() && self.ch.is(s[0], C_UPPER)
    }

    fn mostly_upper(&self, t: &[char]) -> bool {
        let head = &t[..t.len().min(400)];
        let mut n_alpha = 0usize;
        let mut n_upper = 0usize;
        for &c in head {
            let f = self.ch.f(c);
            if f & C_ALPHA != 0 {
                n_alpha += 1;
            }
            if f & C_UPPER != 0 {
                n_upper += 1;
            }
        }
        n_alpha >= 8 && (n_upper as f64) > 0.8 * (n_alpha as f64)
    }

    fn prev_word<'t>(&self, t: &'t [char], start: isize) -> &'t [char] {
        let i = start - 1;
        if i < 1 || t[i as usize] != ' ' {
            return &t[0..0];
        }
        let i = i as usize;
        let mut k = rfind_char(t, ' ', 0, i);
        k = k.max(rfind_char(t, '\n', (k + 1) as usize, i));
        let word = &t[(k + 1) as usize..i];
        if word.iter().all(|&c| self.ch.is(c, C_PRINT)) {
            return word;
        }
        let mut j = i;
        while j > 0 && !self.ch.is(t[j - 1], C_SPACE) {
            j -= 1;
        }
        &t[j..i]
    }

    fn next_word<'t>(&self, t: &'t [char], end: usize) -> &'t [char] {
        if end >= t.len() || t[end] != ' ' {
            return &t[0..0];
        }
        let j = end + 1;
        let mut k = j;
        while k < t.len() && !self.ch.is(t[k], C_SPACE) {
            k += 1;
        }
        &t[j..k]
    }

    fn sentence_start(&self, t: &[char], start: isize) -> bool {
        let mut i = start - 1;
        while i >= 0 && matches!(t[i as usize], ' ' | '\t' | '"' | '\'' | '“' | '‘' | '(') {
            i -= 1;
        }
        i < 0
            || matches!(
                t[i as usize],
                '.' | '!' | '?' | '\n' | ':' | ';' | '—' | '-' | ')'
            )
    }

    fn free_word(&self, w: &[char]) -> bool {
        let mut n = w.len();
        while n > 0 && matches!(w[n - 1], '.' | ',' | ';' | ':' | '!' | '?' | '"' | '”') {
            n -= 1;
        }
        // .lower().removesuffix("'s").removesuffix("’s"); only "S" lower-cases to "s" here
        for q in ['\'', '’'] {
            if n >= 2 && self.ch.lower(w[n - 1]) == 's' && w[n - 2] == q {
                n -= 2;
            }
        }
        self.has_lower(&self.words.free, &w[..n])
    }

    fn titled(&self, t: &[char], start: usize) -> bool {
        let w = self.prev_word(t, start as isize);
        let mut n = w.len();
        while n > 0 && w[n - 1] == '.' {
            n -= 1;
        }
        self.has_lower(&self.words.role_or_title, &w[..n])
    }

    fn glued(&self, t: &[char], start: usize, end: usize, starts: &[usize]) -> u8 {
        let n = t.len();
        if end + 1 < n
            && t[end] == ' '
            && self.ch.is(t[end + 1], C_UPPER)
            && starts.binary_search(&(end + 1)).is_err()
        {
            let nxt = self.next_word(t, end);
            if !self.free_word(nxt) && !self.str_isupper(nxt) {
                return GLUED_NEXT;
            }
        }
        if start < 2 || t[start - 1] != ' ' || !self.ch.is(t[start - 2], C_ALPHA) {
            return GLUED_NONE;
        }
        let prev = self.prev_word(t, start as isize);
        let pstart = start as isize - prev.len() as isize - 1;
        if self.has_lower(&self.words.foreign_particles, prev) {
            let prev2 = self.prev_word(t, pstart);
            if self.first_upper(prev2)
                && !self.sentence_start(t, pstart - prev2.len() as isize - 1)
                && !self.free_word(prev2)
            {
                return GLUED_PREV;
            }
        }
        if self.first_upper(prev)
            && !ends_with_s(prev)
            && !self.sentence_start(t, pstart)
            && !self.free_word(prev)
        {
            return GLUED_PREV;
        }
        GLUED_NONE
    }

    fn hit_cands<'h>(&'h self, h: &'h Hit) -> &'h [u32] {
        match &h.own {
            Some(v) => v,
            None => &self.keys[h.key as usize].cands,
        }
    }

    fn find_hits(&self, t: &[char], padded: &[u8]) -> Vec<Hit> {
        let mut upper: Option<bool> = None;
        let mut hits: Vec<Hit> = Vec::new();
        // every (overlapping) occurrence of every key, as pyahocorasick's iter() reports them
        let raw = self.trie.occurrences(&padded[1..padded.len() - 1]);
        for (start, pid) in raw {
            let kidx = self.ac_keys[pid as usize];
            let key = &self.keys[kidx as usize];
            let mut end = start + key.length;
            let mut settle = key.settle;
            let mut tail = key.tail;
            let mut mi = true;
            let mut own: Option<Vec<u32>> = None;
            if key.case == CASE_CAP {
                if !self.ch.is(t[start], C_UPPER) {
                    continue;
                }
            } else if key.case == CASE_EXACT {
                if t[start..end] != *key.head {
                    continue;
                }
            } else {
                let surface = &t[start..end];
                let mut ok: Vec<u32> = Vec::with_capacity(key.cands.len());
                for &ci in &key.cands {
                    let c = &self.cands[ci as usize];
                    let f = c.flags;
                    if f & EXACT != 0 {
                        if *surface != *c.head {
                            continue;
                        }
                        if f & COMMON != 0 {
                            let up = *upper.get_or_insert_with(|| self.mostly_upper(t));
                            if up {
                                continue;
                            }
                        }
                    } else if f & CAP != 0 && !self.first_upper(surface) {
                        continue;
                    }
                    ok.push(ci);
                }
                if ok.is_empty() {
                    continue;
                }
                if ok.len() != key.cands.len() {
                    settle = SETTLE_FULL;
                    if tail != TAIL_NONE {
                        tail = TAIL_OTHER;
                    }
                    mi = false;
                    own = Some(ok);
                }
            }
            if tail != TAIL_NONE {
                if tail == TAIL_DOT {
                    if end < t.len() && t[end] == '.' {
                        end += 1;
                    }
                } else {
                    let cur: Vec<u32> = match own.take() {
                        Some(v) => v,
                        None => key.cands.clone(),
                    };
                    let tailed: Vec<u32> = cur
                        .iter()
                        .copied()
                        .filter(|&ci| {
                            let c = &self.cands[ci as usize];
                            !(c.tail.is_empty() || is_dot(&c.tail))
                                && starts_with_at(t, &c.tail, end)
                        })
                        .collect();
                    let ok: Vec<u32>;
                    if !tailed.is_empty() {
                        end += self.cands[tailed[0] as usize].tail.len();
                        ok = tailed;
                    } else {
                        ok = cur
                            .into_iter()
                            .filter(|&ci| {
                                let c = &self.cands[ci as usize];
                                c.tail.is_empty() || (c.tail.len() == 1 && c.tail[0] == '.')
                            })
                            .collect();
                        if ok.iter().any(|&ci| {
                            let c = &self.cands[ci as usize];
                            c.tail.len() == 1 && c.tail[0] == '.'
                        }) && end < t.len()
                            && t[end] == '.'
                        {
                            end += 1;
                        }
                    }
                    if ok.is_empty() {
                        continue;
                    }
                    if ok.len() != key.cands.len() {
                        settle = SETTLE_FULL;
                        mi = false;
                    }
                    own = Some(ok);
                }
            }
            hits.push(Hit {
                start,
                end,
                key: kidx,
                own,
                settle,
                mi,
            });
        }
        // text order, longest first at one start; then keep the non-overlapping ones greedily
        hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
        let mut last = 0usize;
        for h in hits {
            if h.start >= last {
                last = h.end;
                kept.push(h);
            }
        }
        kept
    }

    fn ctx_hits(&self, story: &mut Story, ent: u32) -> usize {
        if let Some(&n) = story.ctx.get(&ent) {
            return n;
        }
        let n = self.ents[ent as usize]
            .ctx
            .iter()
            .filter(|w| memmem::find(&story.ctx_text, w).is_some())
            .count();
        story.ctx.insert(ent, n);
        n
    }

    fn anti_hit(&self, story: &Story, ent: &Ent) -> bool {
        ent.anti
            .iter()
            .any(|w| memmem::find(&story.ctx_text, w).is_some())
    }

    fn choose(&self, h: &Hit, t: &[char], story: &mut Story, starts: &[usize]) -> Option<u32> {
        let mut best: Option<u32> = None;
        let mut best_score = -1.0f64;
        let (start, end) = (h.start, h.end);
        for &ci in self.hit_cands(h) {
            let c = &self.cands[ci as usize];
            let ent = &self.ents[c.ent as usize];
            let flags = c.flags;
            let score;
            if flags & PARTIAL != 0 {
                if c.daymonth {
                    let nxt = self.next_word(t, end);
                    if (!nxt.is_empty() && self.ch.is(nxt[0], C_DIGIT))
                        || self
                            .has_lower(&self.words.month_preps, self.prev_word(t, start as isize))
                    {
                        continue;
                    }
                }
                if story.full_ids.contains(&c.ent) {
                    score = 10.0;
                } else if self.titled(t, start) {
                    score = 6.0;
                } else if ent.alone && flags & COMMON == 0 {
                    score = 4.0;
                } else {
                    continue;
                }
            } else if flags & GATED != 0 {
                let hits = self.ctx_hits(story, c.ent);
                if hits == 0 || self.glued(t, start, end, starts) != GLUED_NONE {
                    continue;
                }
                score = 2.0 + hits as f64;
            } else {
                score = 3.0 + self.ctx_hits(story, c.ent) as f64;
                if !ent.person && flags & EXACT == 0 && (ent.place || flags & DEMONYM != 0) {
                    if self.glued(t, start, end, starts) != GLUED_NONE {
                        continue;
                    }
                    if ent.name_like && story.as_name.contains(&c.norm_alias) {
                        continue;
                    }
                    if flags & COMMON != 0 && !ent.anti.is_empty() && self.anti_hit(story, ent) {
                        continue;
                    }
                }
            }
            if score > best_score {
                best = Some(ci);
                best_score = score;
            }
        }
        best
    }

    fn add_mention(&self, accs: &mut Accs, ent: u32, m: (u8, usize, usize)) {
        match accs.by_ent.get(&ent) {
            Some(&i) => accs.list[i].ms.push(m),
            None => {
                accs.by_ent.insert(ent, accs.list.len());
                accs.list.push(Acc {
                    meta: Meta::Kb(ent),
                    ms: vec![m],
                    unordered: false,
                });
            }
        }
    }

    fn settle(
        &self,
        fld: u8,
        hits: &[Hit],
        t: &[char],
        story: &mut Story,
        accs: &mut Accs,
    ) -> Vec<Resolved> {
        let starts: Vec<usize> = hits.iter().map(|h| h.start).collect();
        let mut out: Vec<Resolved> = Vec::with_capacity(hits.len());
        let n = t.len();
        for h in hits {
            let (start, end) = (h.start, h.end);
            let ci;
            if h.settle == SETTLE_TAKE {
                ci = self.hit_cands(h)[0];
            } else if h.settle == SETTLE_PLACE {
                ci = self.hit_cands(h)[0];
                if ((end + 1 < n && t[end] == ' ' && self.ch.is(t[end + 1], C_UPPER))
                    || (start >= 2 && t[start - 1] == ' ' && self.ch.is(t[start - 2], C_ALPHA)))
                    && self.glued(t, start, end, &starts) != GLUED_NONE
                {
                    continue;
                }
                let c = &self.cands[ci as usize];
                let ent = &self.ents[c.ent as usize];
                if ent.name_like
                    && !story.as_name.is_empty()
                    && story.as_name.contains(&c.norm_alias)
                {
                    continue;
                }
                if c.flags & COMMON != 0 && !ent.anti.is_empty() && self.anti_hit(story, ent) {
                    continue;
                }
            } else {
                match self.choose(h, t, story, &starts) {
                    Some(c) => ci = c,
                    None => continue,
                }
            }
            out.push((start, end, ci));
            self.add_mention(accs, self.cands[ci as usize].ent, (fld, start, end));
        }
        out
    }

    // ------------------------------------------------------------ discovery of new people

    fn particle_at(&self, t: &[char], pos: usize) -> Option<usize> {
        let &c0 = t.get(pos)?;
        if !c0.is_ascii_lowercase() {
            return None;
        }
        for p in &self.words.particles {
            if p[0] == c0
                && t.len() - pos >= p.len()
                && p.iter().zip(&t[pos..]).all(|(a, b)| a == b)
            {
                let q = pos + p.len();
                if q < t.len() && (t[q] == ' ' || t[q] == '-') {
                    return Some(p.len());
                }
            }
        }
        None
    }

    /// The regex continuation ` (?:PARTICLE[ -])?+[A-Z]` at `pos`.
    fn cont_at(&self, t: &[char], pos: usize) -> bool {
        if pos >= t.len() || t[pos] != ' ' {
            return false;
        }
        let mut q = pos + 1;
        if let Some(l) = self.particle_at(t, q) {
            q += l + 1;
        }
        q < t.len() && t[q].is_ascii_uppercase()
    }

    #[inline]
    fn tok_first(&self, c: char) -> bool {
        self.ch.is(c, C_WORD) || matches!(c, '\'' | '’' | '.' | '-')
    }

    #[inline]
    fn tok_next(&self, c: char) -> bool {
        self.ch.is(c, C_WORD) || matches!(c, '\'' | '’' | '-')
    }

    /// Group 1 of every match of tag._NAME_RUN.finditer(text), as (start, end).
    fn name_runs(&self, t: &[char]) -> Vec<(usize, usize)> {
        let n = t.len();
        let mut out = Vec::new();
        let mut pos = 0usize;
        loop {
            let mut p = pos;
            let run_start;
            loop {
                if p >= n {
                    run_start = None;
                    break;
                }
                if !t[p].is_ascii_uppercase() {
                    while p < n && !t[p].is_ascii_uppercase() {
                        p += 1;
                    }
                    continue;
                }
                let mut q = p + 1;
                while q < n && self.tok_first(t[q]) {
                    q += 1;
                }
                if self.cont_at(t, q) {
                    run_start = Some(p);
                    break;
                }
                p = q;
            }
            let Some(s) = run_start else { break };
            let mut q = s + 1;
            while q < n && self.tok_first(t[q]) {
                q += 1;
            }
            let mut count = 0;
            while count < 6 {
                if q < n && t[q] == ' ' {
                    let mut r = q + 1;
                    if let Some(l) = self.particle_at(t, r) {
                        r += l + 1;
                    }
                    if r < n && t[r].is_ascii_uppercase() {
                        r += 1;
                        while r < n && self.tok_next(t[r]) {
                            r += 1;
                        }
                        q = r;
                        count += 1;
                        continue;
                    }
                }
                break;
            }
            out.push((s, q));
            pos = q;
        }
        out
    }

    fn valid_name(&self, t: &[char], toks: &[(usize, usize)]) -> bool {
        if !(2..=4).contains(&toks.len()) {
            return false;
        }
        for &(a, b) in toks {
            let tok = &t[a..b];
            if self.has_lower(&self.words.non_name, tok) {
                return false;
            }
            if !tok.is_empty() && self.ch.is(tok[0], C_LOWER) {
                let core_start = tok.iter().rposition(|&c| c == '-').map_or(0, |i| i + 1);
                if self.has_lower(&self.words.non_name, &tok[core_start..]) {
                    return false;
                }
            }
            if !tok.iter().any(|&c| self.ch.is(c, C_LOWER)) || ends_with_s(tok) {
                return false;
            }
        }
        true
    }

    fn fold_key(&self, name: &[char]) -> String {
        let mut out = String::with_capacity(name.len() + 4);
        for &c in name {
            match self.ch.fold.get(&c) {
                Some(s) => out.push_str(s),
                None => out.push(c),
            }
        }
        out
    }

    fn slug(&self, name: &[char]) -> String {
        let key = self.fold_key(name);
        let mut out = String::with_capacity(key.len());
        let mut dash = false;
        for c in key.chars() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                if dash && !out.is_empty() {
                    out.push('-');
                }
                dash = false;
                out.push(c);
            } else {
                dash = true;
            }
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn discover(
        &self,
        py: Python<'_>,
        t: &[char],
        spans: &Spans,
        discovered: Option<&Bound<'_, PyAny>>,
        headline: &[char],
    ) -> PyResult<Vec<(usize, usize, Rec)>> {
        let mut found = Vec::new();
        for (s0, e0) in self.name_runs(t) {
            let mut rs = s0;
            let re = e0;
            let run = &t[rs..re];
            if run.windows(2).any(|w| w[0] == 's' && w[1] == ' ') {
                for sep in [['\'', 's', ' '], ['’', 's', ' ']] {
                    if let Some(cut) = rfind(&t[rs..re], &sep) {
                        rs += cut + 3;
                    }
                }
            }
            if !spans.name_room(t, rs, re) {
                continue;
            }
            // tokens of run.split(" ")
            let mut toks: Vec<(usize, usize)> = Vec::new();
            let mut a = rs;
            for (i, &c) in t.iter().enumerate().take(re).skip(rs) {
                if c == ' ' {
                    toks.push((a, i));
                    a = i + 1;
                }
            }
            toks.push((a, re));
            if toks.len() < 2 {
                continue;
            }
            // _strip_run
            let mut i = 0;
            while i < toks.len() {
                let (a, b) = toks[i];
                let tok = &t[a..b];
                let mut m = tok.len();
                while m > 0 && tok[m - 1] == '.' {
                    m -= 1;
                }
                if !(spans.cover_end(a) >= b as isize
                    || self.has_lower(&self.words.free, &tok[..m]))
                {
                    break;
                }
                i += 1;
            }
            let prefix = &toks[..i];
            let mut name = &toks[i..];
            while let Some(&(a, b)) = name.last() {
                if self.has_lower(&self.words.trail_strip, &t[a..b]) {
                    name = &name[..name.len() - 1];
                } else {
                    break;
                }
            }
            if name.is_empty() {
                continue;
            }
            let n_start = name[0].0;
            let n_end = name[name.len() - 1].1;
            if spans.overlaps(n_start, n_end) {
                continue;
            }
            if !self.valid_name(t, name) {
                continue;
            }
            let joined = &t[n_start..n_end];
            let key = self.fold_key(joined);
            if let Some(d) = discovered {
                let known = d.call_method1(self.s_get.bind(py), (key.as_str(),))?;
                if !known.is_none() {
                    found.push((n_start, n_end, self.rec_of(py, &known)?));
                    continue;
                }
            }
            let mut role = prefix.iter().any(|&(a, b)| {
                let tok = &t[a..b];
                let mut m = tok.len();
                while m > 0 && tok[m - 1] == '.' {
                    m -= 1;
                }
                self.has_lower(&self.words.role_or_title, &tok[..m])
            });
            let mut country: Option<&Ent> = if prefix.is_empty() {
                None
            } else {
                spans.country_near(self, rs as isize, n_start as isize)
            };
            let before = &t[rs.saturating_sub(60)..rs];
            let cut = [
                rfind_char(before, '.', 0, before.len()),
                rfind_char(before, ';', 0, before.len()),
                rfind_char(before, '\n', 0, before.len()),
            ]
            .into_iter()
            .max()
            .unwrap();
            let clause = &before[(cut + 1) as usize..];
            let mut m = clause.len();
            while m > 0 && self.ch.is(clause[m - 1], C_SPACE) {
                m -= 1;
            }
            let stripped = &clause[..m];
            let mut last = match stripped.iter().rposition(|&c| c == ' ') {
                Some(k) => &stripped[k + 1..],
                None => stripped,
            };
            let low_last = {
                while !last.is_empty() && last[0] == ',' {
                    last = &last[1..];
                }
                while !last.is_empty() && last[last.len() - 1] == ',' {
                    last = &last[..last.len() - 1];
                }
                // .lower() then .strip(","): lower-casing never makes or removes a comma
                self.lower_str(last)
            };
            let clause_start = rs as isize - clause.len() as isize;
            if self.words.roles.contains(&low_last) {
                role = true;
                if country.is_none() {
                    country = spans.country_near(self, clause_start, rs as isize);
                }
            } else if clause.len() >= 3
                && ends_with_s(&clause[..clause.len() - 1])
                && clause[clause.len() - 1] == ' '
            {
                if let Some(owner) = spans.country_near(self, clause_start, rs as isize) {
                    role = true;
                    country = Some(owner);
                }
            }
            if !role && starts_with_at(t, &[',', ' '], n_end) {
                let tail = &t[(n_end + 2).min(t.len())..(n_end + 90).min(t.len())];
                let stop = [',', '.', ';']
                    .iter()
                    .filter_map(|&c| tail.iter().position(|&x| x == c))
                    .min()
                    .unwrap_or(tail.len());
                let appos = &tail[..stop];
                let low: Vec<char> = appos.iter().map(|&c| self.ch.lower(c)).collect();
                let words: Vec<&[char]> = low
                    .split(|&c| self.ch.is(c, C_SPACE))
                    .filter(|w| !w.is_empty())
                    .collect();
                let opener = !words.is_empty() && {
                    let w0 = to_string(words[0]);
                    self.words.appos_openers.contains(&w0) || self.words.roles.contains(&w0)
                };
                let possessive = words.len() > 1 && ends_with_s(words[0]);
                if (opener || possessive)
                    && words.iter().take(7).any(|w| {
                        let mut a = 0;
                        let mut b = w.len();
                        while a < b && matches!(w[a], '\'' | '’' | 's') {
                            a += 1;
                        }
                        while b > a && matches!(w[b - 1], '\'' | '’' | 's') {
                            b -= 1;
                        }
                        self.words.roles.contains(&to_string(&w[a..b]))
                    })
                {
                    role = true;
                    country = spans.country_near(self, n_end as isize, (n_end + 2 + stop) as isize);
                }
            }
            if !role {
                continue;
            }
            let name_s = to_string(joined);
            let id = format!("wf:person/{}", self.slug(joined));
            let country_py = match country {
                Some(e) => e.country_py.clone_ref(py),
                None => py.None(),
            };
            let rec = Rec {
                id: id.clone(),
                name: name_s.clone(),
                country: country.and_then(|e| e.country.clone()),
                country_py: country_py.clone_ref(py),
            };
            if let Some(d) = discovered {
                let dict = PyDict::new(py);
                dict.set_item(self.s_id.bind(py), id)?;
                dict.set_item(self.s_name.bind(py), name_s)?;
                dict.set_item(self.s_country.bind(py), country_py)?;
                let fs = &headline[..headline.len().min(120)];
                dict.set_item(self.s_first_seen.bind(py), to_string(fs))?;
                d.set_item(key, dict)?;
            }
            found.push((n_start, n_end, rec));
        }
        Ok(found)
    }

    fn rec_of(&self, py: Python<'_>, rec: &Bound<'_, PyAny>) -> PyResult<Rec> {
        let id: String = rec.get_item(self.s_id.bind(py))?.extract()?;
        let name: String = rec.get_item(self.s_name.bind(py))?.extract()?;
        let cobj = rec.call_method1(self.s_get.bind(py), (self.s_country.bind(py),))?;
        let country: Option<String> = if cobj.is_truthy()? {
            Some(cobj.extract()?)
        } else {
            None
        };
        Ok(Rec {
            id,
            name,
            country,
            country_py: cobj.unbind(),
        })
    }

    // ------------------------------------------------------------ dateline and countries

    fn dateline_place(&self, d: &[char]) -> Option<u32> {
        let mut a = 0;
        let mut b = d.len();
        while a < b && self.ch.is(d[a], C_SPACE) {
            a += 1;
        }
        while b > a && self.ch.is(d[b - 1], C_SPACE) {
            b -= 1;
        }
        let mut head = &d[a..b];
        for sep in [
            &[','][..],
            &['('],
            &[' ', '-', ' '],
            &[' ', '—', ' '],
            &['—'],
            &['\n'],
        ] {
            if let Some(i) = find(head, sep, 0) {
                if i > 0 {
                    head = &head[..i];
                }
            }
        }
        if let Some(i) = head.iter().position(|&c| c == '/') {
            head = &head[..i];
        }
        let mut a = 0;
        let mut b = head.len();
        while a < b && self.ch.is(head[a], C_SPACE) {
            a += 1;
        }
        while b > a && self.ch.is(head[b - 1], C_SPACE) {
            b -= 1;
        }
        let head = &head[a..b];
        if head.is_empty() || head.len() > 40 {
            return None;
        }
        let norm: Vec<u8> = head.iter().map(|&c| self.ch.norm(c)).collect();
        let mut a = 0;
        let mut b = norm.len();
        while a < b && norm[a] == b' ' {
            a += 1;
        }
        while b > a && norm[b - 1] == b' ' {
            b -= 1;
        }
        self.dateline.get(&norm[a..b]).copied()
    }

    fn body_dateline<'t>(&self, body: &'t [char]) -> Option<&'t [char]> {
        let first = &body[..body.len().min(80)];
        for sep in [',', '('] {
            if let Some(i) = first.iter().position(|&c| c == sep) {
                if 0 < i && i <= 40 {
                    return Some(&first[..i]);
                }
            }
        }
        None
    }

    fn list_positions(&self, t: &[char], res: &[Resolved]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut run: Vec<Resolved> = Vec::new();
        for &r in res {
            if !self.ents[self.cands[r.2 as usize].ent as usize].place {
                continue;
            }
            if !run.is_empty() && self.list_glue(t, run[run.len() - 1].1, r.0) {
                run.push(r);
            } else {
                if run.len() >= 4 {
                    out.extend(run.iter().map(|x| x.0));
                }
                run.clear();
                run.push(r);
            }
        }
        if run.len() >= 4 {
            out.extend(run.iter().map(|x| x.0));
        }
        out
    }

    /// `_LIST_GLUE.fullmatch(text, a, b)`
    fn list_glue(&self, t: &[char], a: usize, b: usize) -> bool {
        if a > b {
            return false;
        }
        let s = &t[a..b];
        let mut i = 0;
        while i < s.len() && self.ch.is(s[i], C_SPACE) {
            i += 1;
        }
        let mut j = s.len();
        while j > i && self.ch.is(s[j - 1], C_SPACE) {
            j -= 1;
        }
        let core = &s[i..j];
        let alts: [&[char]; 5] = [
            &[',', ' ', 'a', 'n', 'd'],
            &[',', ' ', 'o', 'r'],
            &[','],
            &['a', 'n', 'd'],
            &['o', 'r'],
        ];
        alts.iter().any(|alt| *core == **alt)
    }

    fn padded_norm(&self, t: &[char]) -> Vec<u8> {
        let mut v = Vec::with_capacity(t.len() + 2);
        v.push(b' ');
        v.extend(t.iter().map(|&c| self.ch.norm(c)));
        v.push(b' ');
        v
    }

    fn text_of(&self, s: &Bound<'_, PyString>) -> Option<Vec<char>> {
        let st = s.to_str().ok()?;
        if st.is_ascii() {
            return Some(st.bytes().map(char::from).collect());
        }
        let v: Vec<char> = st.chars().collect();
        if v.iter().all(|&c| self.ch.known(c)) {
            Some(v)
        } else {
            None
        }
    }
}

/// A slot of an output dataclass: its member descriptor and the descriptor type's `__set__`.
struct Slot {
    descr: PyObject,
    set: pyo3::ffi::descrsetfunc,
}

fn slots(descrs: Vec<Bound<'_, PyAny>>) -> PyResult<Vec<Slot>> {
    descrs
        .into_iter()
        .map(|d| {
            // SAFETY: PyType_GetSlot on the descriptor's type (a static type; allowed since 3.10)
            // returns its tp_descr_set, or NULL.
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
            let set: pyo3::ffi::descrsetfunc = unsafe { std::mem::transmute(f) };
            Ok(Slot {
                descr: d.unbind(),
                set,
            })
        })
        .collect()
}

/// An instance of a slots dataclass with its fields set, without running the generated __init__
/// (which only assigns them; the Python side checks there is nothing more): allocated as
/// `object.__new__(cls)` does, then each slot set through its member descriptor, as setattr does.
fn new_record<'py>(
    py: Python<'py>,
    cls: &PyObject,
    fields: &[Slot],
    values: &[Bound<'py, PyAny>],
) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `cls` is a heap type (a dataclass, checked on the Python side); PyType_GenericAlloc
    // returns a new reference or NULL with an exception set. The descriptors are `cls`'s own member
    // descriptors (checked on the Python side); their setter returns 0 or -1 with an exception set.
    unsafe {
        let raw = pyo3::ffi::PyType_GenericAlloc(cls.as_ptr() as *mut pyo3::ffi::PyTypeObject, 0);
        let obj = Bound::from_owned_ptr_or_err(py, raw)?;
        for (slot, v) in fields.iter().zip(values) {
            if (slot.set)(slot.descr.as_ptr(), obj.as_ptr(), v.as_ptr()) < 0 {
                return Err(PyErr::fetch(py));
            }
        }
        Ok(obj)
    }
}

fn str_set(d: &Bound<'_, PyDict>, key: &str) -> PyResult<HashSet<String>> {
    let v: Vec<String> = d
        .get_item(key)?
        .ok_or_else(|| PyValueError::new_err(key.to_string()))?
        .extract()?;
    Ok(v.into_iter().collect())
}

fn item<'py>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    d.get_item(key)?
        .ok_or_else(|| PyValueError::new_err(format!("spec lacks {key}")))
}

#[pymethods]
impl Tagger {
    /// Build from the plain-data description made by streams/pipeline/tag_native.py.
    #[new]
    fn new(py: Python<'_>, spec: &Bound<'_, PyDict>) -> PyResult<Self> {
        // characters: (code point, class flags, lower-case code point, normalised byte, fold)
        let chars: Vec<(u32, u8, u32, u8, String)> = item(spec, "chars")?.extract()?;
        let mut ch = Chars {
            flags: [0; 256],
            lower: ['\0'; 256],
            norm: [b' '; 256],
            wide: Vec::new(),
            fold: HashMap::default(),
        };
        for (cp, f, low, nb, fold) in chars {
            let c = char::from_u32(cp).ok_or_else(|| PyValueError::new_err("bad code point"))?;
            if cp < 256 {
                ch.flags[cp as usize] = f;
                ch.lower[cp as usize] = char::from_u32(low).unwrap_or(c);
                ch.norm[cp as usize] = nb;
            } else {
                ch.wide.push((c, f));
            }
            let cs = c.to_string();
            if fold != cs {
                ch.fold.insert(c, fold);
            }
        }
        // entities: (id, name, type, country, ctx, anti, alone, name_like, factor)
        type EntRow = (
            String,
            String,
            String,
            PyObject,
            Vec<Vec<u8>>,
            Vec<Vec<u8>>,
            bool,
            bool,
            f64,
        );
        let ent_rows: Vec<EntRow> = item(spec, "entities")?.extract()?;
        let mut ents = Vec::with_capacity(ent_rows.len());
        let mut id_to_ent = HashMap::default();
        for (i, (id, name, typ, country, ctx, anti, alone, name_like, factor)) in
            ent_rows.into_iter().enumerate()
        {
            let cb = country.bind(py);
            let cstr: Option<String> = if cb.is_truthy()? {
                Some(cb.extract()?)
            } else {
                None
            };
            id_to_ent.insert(id.clone(), i as u32);
            ents.push(Ent {
                id_py: PyString::intern(py, &id).unbind(),
                name_py: PyString::new(py, &name).unbind(),
                person: typ == "person",
                place: typ == "place",
                type_py: PyString::intern(py, &typ).unbind(),
                country: cstr,
                country_py: country,
                ctx,
                anti,
                alone,
                name_like,
                factor,
            });
        }
        // candidates: (entity index, head, tail, flags, normalised alias, alias is a day/month)
        let cand_rows: Vec<(u32, String, String, u32, String, bool)> =
            item(spec, "candidates")?.extract()?;
        let cands: Vec<Cand> = cand_rows
            .into_iter()
            .map(|(ent, head, tail, flags, norm_alias, daymonth)| Cand {
                ent,
                head: chars_of(&head),
                tail: chars_of(&tail),
                flags,
                norm_alias,
                daymonth,
            })
            .collect();
        // keys: (key bytes or None (not Latin-1), length, candidates, case, head, tail, settle, person, name_like)
        type KeyRow = (
            Option<Vec<u8>>,
            usize,
            Vec<u32>,
            u8,
            String,
            u8,
            u8,
            i64,
            bool,
        );
        let key_rows: Vec<KeyRow> = item(spec, "keys")?.extract()?;
        let mut keys = Vec::with_capacity(key_rows.len());
        let mut patterns: Vec<Vec<u8>> = Vec::new();
        let mut ac_keys: Vec<u32> = Vec::new();
        for (i, (pat, length, kc, case, head, tail, settle, person, name_like)) in
            key_rows.into_iter().enumerate()
        {
            if let Some(p) = pat {
                patterns.push(p);
                ac_keys.push(i as u32);
            }
            keys.push(Key {
                length,
                cands: kc,
                case,
                head: chars_of(&head),
                tail,
                settle,
                person: if person >= 0 {
                    Some(person as u32)
                } else {
                    None
                },
                name_like,
            });
        }
        let trie = Trie::new(&patterns);
        let mut particles: Vec<Vec<char>> = item(spec, "particles")?
            .extract::<Vec<String>>()?
            .iter()
            .map(|s| chars_of(s))
            .collect();
        particles.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let words = Words {
            free: str_set(spec, "free_words")?,
            role_or_title: str_set(spec, "role_or_title")?,
            roles: str_set(spec, "roles")?,
            trail_strip: str_set(spec, "trail_strip")?,
            foreign_particles: str_set(spec, "foreign_particles")?,
            appos_openers: str_set(spec, "appos_openers")?,
            non_name: str_set(spec, "non_name_words")?,
            month_preps: str_set(spec, "month_preps")?,
            particles,
        };
        let dl_rows: Vec<(Vec<u8>, u32)> = item(spec, "datelines")?.extract()?;
        let s = |x: &str| PyString::intern(py, x).unbind();
        Ok(Tagger {
            ch,
            trie,
            ac_keys,
            keys,
            cands,
            ents,
            id_to_ent,
            words,
            dateline: dl_rows.into_iter().collect(),
            entity_cls: item(spec, "entity_cls")?.unbind(),
            mention_cls: item(spec, "mention_cls")?.unbind(),
            result_cls: item(spec, "result_cls")?.unbind(),
            entity_fields: slots(item(spec, "entity_fields")?.extract()?)?,
            mention_fields: slots(item(spec, "mention_fields")?.extract()?)?,
            s_headline: s("headline"),
            s_body: s("body"),
            s_person: s("person"),
            s_id: s("id"),
            s_name: s("name"),
            s_country: s("country"),
            s_first_seen: s("first_seen"),
            s_get: s("get"),
        })
    }

    /// Number of keys in the matcher (keys with letters outside Latin-1 cannot occur in a text this
    /// path accepts and are left out).
    #[getter]
    fn n_patterns(&self) -> usize {
        self.ac_keys.len()
    }

    /// `tag.tag()` for one story, or None when a text has characters this path does not cover.
    #[pyo3(signature = (headline, body, dateline=None, discovered=None))]
    fn tag(
        &self,
        py: Python<'_>,
        headline: &Bound<'_, PyString>,
        body: &Bound<'_, PyString>,
        dateline: Option<&Bound<'_, PyString>>,
        discovered: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Option<PyObject>> {
        let Some(head) = self.text_of(headline) else {
            return Ok(None);
        };
        let Some(body) = self.text_of(body) else {
            return Ok(None);
        };
        let dl_param: Option<Vec<char>> = match dateline {
            Some(d) => match self.text_of(d) {
                Some(v) => Some(v),
                None => return Ok(None),
            },
            None => None,
        };
        let discovered = discovered.filter(|d| !d.is_none());
        let pad_h = self.padded_norm(&head);
        let pad_b = self.padded_norm(&body);
        let hits_h = if head.is_empty() {
            Vec::new()
        } else {
            self.find_hits(&head, &pad_h)
        };
        let hits_b = if body.is_empty() {
            Vec::new()
        } else {
            self.find_hits(&body, &pad_b)
        };

        let mut full_ids: HashSet<u32> = HashSet::default();
        let mut as_name: HashSet<String> = HashSet::default();
        for (t, hits) in [(&head, &hits_h), (&body, &hits_b)] {
            let mut starts: Option<Vec<usize>> = None;
            for h in hits.iter() {
                if h.mi {
                    let key = &self.keys[h.key as usize];
                    if let Some(p) = key.person {
                        full_ids.insert(p);
                    }
                    if !key.name_like {
                        continue;
                    }
                } else {
                    let ok = self.hit_cands(h);
                    if ok.len() == 1 {
                        let c = &self.cands[ok[0] as usize];
                        if self.ents[c.ent as usize].person && c.flags & PARTIAL == 0 {
                            full_ids.insert(c.ent);
                        }
                    }
                    if !ok
                        .iter()
                        .any(|&ci| self.ents[self.cands[ci as usize].ent as usize].name_like)
                    {
                        continue;
                    }
                }
                let st = starts.get_or_insert_with(|| hits.iter().map(|x| x.start).collect());
                if self.glued(t, h.start, h.end, st) == GLUED_PREV {
                    for &ci in self.hit_cands(h) {
                        let c = &self.cands[ci as usize];
                        if self.ents[c.ent as usize].name_like {
                            as_name.insert(c.norm_alias.clone());
                        }
                    }
                }
            }
        }

        let mut ctx_text = Vec::with_capacity(pad_h.len() + pad_b.len());
        ctx_text.extend_from_slice(&pad_h);
        ctx_text.extend_from_slice(&pad_b[1..]);
        let mut story = Story {
            ctx_text,
            full_ids,
            as_name,
            ctx: HashMap::default(),
        };
        let mut accs = Accs::default();
        let res_h = if hits_h.is_empty() {
            Vec::new()
        } else {
            self.settle(HEAD, &hits_h, &head, &mut story, &mut accs)
        };
        let res_b = if hits_b.is_empty() {
            Vec::new()
        } else {
            self.settle(BODY, &hits_b, &body, &mut story, &mut accs)
        };

        // discovery: body first (its role phrases license names in the headline)
        let mut disc: Vec<(Rec, Mentions)> = Vec::new();
        let mut disc_idx: HashMap<String, usize> = HashMap::default();
        for (fld, t, res) in [(BODY, &body, &res_b), (HEAD, &head, &res_h)] {
            if t.is_empty() {
                continue;
            }
            let spans = Spans::new(res, self);
            for (s, e, rec) in self.discover(py, t, &spans, discovered, &head)? {
                match disc_idx.get(&rec.id) {
                    Some(&i) => disc[i].1.push((fld, s, e)),
                    None => {
                        disc_idx.insert(rec.id.clone(), disc.len());
                        disc.push((rec, vec![(fld, s, e)]));
                    }
                }
            }
        }
        if !disc.is_empty() {
            let mut occupied: [Vec<(usize, usize)>; 2] = [
                res_h.iter().map(|r| (r.0, r.1)).collect(),
                res_b.iter().map(|r| (r.0, r.1)).collect(),
            ];
            for (rec, spans) in disc {
                let kb_ent = self.id_to_ent.get(&rec.id).copied();
                let found = match kb_ent {
                    Some(ei) => accs.by_ent.get(&ei).copied(),
                    None => accs.by_id.get(&rec.id).copied(),
                };
                let ai = match found {
                    Some(i) => i,
                    None => {
                        let i = accs.list.len();
                        match kb_ent {
                            Some(ei) => accs.by_ent.insert(ei, i),
                            None => accs.by_id.insert(rec.id.clone(), i),
                        };
                        accs.list.push(Acc {
                            meta: Meta::Disc {
                                id: rec.id.clone(),
                                name: rec.name.clone(),
                                country: rec.country.clone(),
                                country_py: rec.country_py.clone_ref(py),
                            },
                            ms: Vec::new(),
                            unordered: false,
                        });
                        i
                    }
                };
                accs.list[ai].unordered = true;
                for &(fld, s, e) in &spans {
                    accs.list[ai].ms.push((fld, s, e));
                    occupied[fld as usize].push((s, e));
                }
                let surname: Vec<char> = match rec.name.rfind(' ') {
                    Some(k) => rec.name[k + 1..].chars().collect(),
                    None => rec.name.chars().collect(),
                };
                if surname.len() < 3 {
                    continue;
                }
                for (fld, t) in [(HEAD, &head), (BODY, &body)] {
                    let hs = surname_hits(self, t, &surname, &occupied[fld as usize]);
                    for (s, e) in hs {
                        accs.list[ai].ms.push((fld, s, e));
                        occupied[fld as usize].push((s, e));
                    }
                }
            }
        }

        let dl_text: Option<&[char]> = match &dl_param {
            Some(d) if !d.is_empty() => Some(d),
            _ => self.body_dateline(&body),
        };
        let dl_ent = match dl_text {
            Some(d) if !d.is_empty() => self.dateline_place(d),
            _ => None,
        };
        if let Some(de) = dl_ent {
            let has_dl = matches!(&dl_param, Some(d) if !d.is_empty());
            if has_dl && !accs.by_ent.contains_key(&de) {
                accs.by_ent.insert(de, accs.list.len());
                accs.list.push(Acc {
                    meta: Meta::Kb(de),
                    ms: Vec::new(),
                    unordered: false,
                });
            }
        }

        // story countries: weighted mention counts
        let lists = [
            self.list_positions(&head, &res_h),
            self.list_positions(&body, &res_b),
        ];
        let lead_end = body.len().min(LEAD_CHARS);
        let mut score: Vec<(String, f64)> = Vec::new();
        let mut keyed: Vec<((isize, u8, usize), PyObject)> = Vec::with_capacity(accs.list.len());
        let fields = [self.s_headline.bind(py), self.s_body.bind(py)];
        for acc in accs.list.iter_mut() {
            if acc.unordered {
                acc.ms.sort_by_key(|m| (m.0 != HEAD, m.1));
            }
            let ms = &acc.ms;
            let (cc, factor): (Option<&String>, f64) = match &acc.meta {
                Meta::Kb(ei) => {
                    let e = &self.ents[*ei as usize];
                    (e.country.as_ref(), e.factor)
                }
                Meta::Disc { country, .. } => (country.as_ref(), 0.75),
            };
            if let Some(cc) = cc {
                if !ms.is_empty() && factor != 0.0 {
                    let mut total = 0.0f64;
                    for &(fld, start, _) in ms {
                        let w = if fld == HEAD {
                            if lists[0].contains(&start) {
                                0.25
                            } else {
                                3.0
                            }
                        } else if lists[1].contains(&start) {
                            0.25
                        } else if start < lead_end {
                            2.0
                        } else {
                            1.0
                        };
                        total += w * factor;
                    }
                    match score.iter_mut().find(|(c, _)| c == cc) {
                        Some(x) => x.1 += total,
                        None => score.push((cc.clone(), total)),
                    }
                }
            }
            let sort_key = if ms.is_empty() {
                (0isize, 1u8, 1usize << 30)
            } else if ms[0].0 == BODY {
                (-(ms.len() as isize), 1, ms[0].1)
            } else {
                let first = if ms[ms.len() - 1].0 == BODY {
                    ms.iter().find(|m| m.0 == BODY).map_or(1 << 30, |m| m.1)
                } else {
                    1 << 30
                };
                (-(ms.len() as isize), 0, first)
            };
            let mentions = PyList::empty(py);
            for &(fld, s, e) in ms {
                let vals = [
                    fields[fld as usize].clone().into_any(),
                    s.into_pyobject(py)?.into_any(),
                    e.into_pyobject(py)?.into_any(),
                ];
                mentions.append(new_record(
                    py,
                    &self.mention_cls,
                    &self.mention_fields,
                    &vals,
                )?)?;
            }
            let count = ms.len().into_pyobject(py)?.into_any();
            let vals = match &acc.meta {
                Meta::Kb(ei) => {
                    let e = &self.ents[*ei as usize];
                    [
                        e.id_py.bind(py).clone().into_any(),
                        e.name_py.bind(py).clone().into_any(),
                        e.type_py.bind(py).clone().into_any(),
                        e.country_py.bind(py).clone(),
                        count,
                        mentions.into_any(),
                    ]
                }
                Meta::Disc {
                    id,
                    name,
                    country_py,
                    ..
                } => [
                    PyString::new(py, id).into_any(),
                    PyString::new(py, name).into_any(),
                    self.s_person.bind(py).clone().into_any(),
                    country_py.bind(py).clone(),
                    count,
                    mentions.into_any(),
                ],
            };
            let ent_obj = new_record(py, &self.entity_cls, &self.entity_fields, &vals)?.unbind();
            keyed.push((sort_key, ent_obj));
        }
        if let Some(de) = dl_ent {
            if let Some(cc) = &self.ents[de as usize].country {
                match score.iter_mut().find(|(c, _)| c == cc) {
                    Some(x) => x.1 += 3.0,
                    None => score.push((cc.clone(), 3.0)),
                }
            }
        }
        let mut countries: Vec<String> = Vec::new();
        if !score.is_empty() {
            let top = score.iter().map(|x| x.1).fold(f64::NEG_INFINITY, f64::max);
            score.sort_by(|a, b| {
                b.1.partial_cmp(&a.1)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(a.0.cmp(&b.0))
            });
            countries = score
                .into_iter()
                .filter(|(_, s)| *s >= COUNTRY_MIN && *s >= COUNTRY_REL * top)
                .map(|(c, _)| c)
                .collect();
        }
        keyed.sort_by_key(|a| a.0);
        let entities = PyList::empty(py);
        for (_, e) in keyed {
            entities.append(e)?;
        }
        Ok(Some(self.result_cls.call1(py, (entities, countries))?))
    }
}

fn surname_hits(
    tg: &Tagger,
    t: &[char],
    surname: &[char],
    occupied: &[(usize, usize)],
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = find(t, surname, from) {
        let j = i + surname.len();
        let before_ok =
            i == 0 || !(tg.ch.is(t[i - 1], C_ALNUM) || t[i - 1] == '-' || t[i - 1] == '\'');
        let after_ok = j >= t.len() || !(tg.ch.is(t[j], C_ALNUM) || t[j] == '-');
        if before_ok && after_ok && !occupied.iter().any(|&(s, e)| s < j && i < e) {
            out.push((i, j));
        }
        from = j;
    }
    out
}

#[pymodule]
fn wirefeed_native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Tagger>()?;
    m.add_class::<route::Router>()?;
    m.add_class::<text::Fingerprinter>()?;
    m.add_class::<item::PlainReader>()?;
    m.add_function(wrap_pyfunction!(text::top_level_keys, m)?)?;
    m.add_function(wrap_pyfunction!(text::text_is_clean, m)?)?;
    m.add_function(wrap_pyfunction!(text::iso_utc_second, m)?)?;
    m.add_function(wrap_pyfunction!(dedup::dedup_candidates, m)?)?;
    m.add_class::<dedup_index::DedupIndex>()?;
    m.add_class::<key_filter::KeyFilter>()?;
    m.add_class::<rules::RuleMatcher>()?;
    Ok(())
}
