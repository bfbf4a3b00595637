//! Compiled matcher for the strip stage's rule packs (`streams/pipeline/rules.py` is the specification).
//!
//! Python translates every rule's parsed pattern (`streams/pipeline/rules_native.py`) into a byte
//! regex over a compressed alphabet: each character class of the rule set is one code of one to three
//! bytes, computed from Python's own matching of every one-character item, so case folding, `\w`, `\d`,
//! `\s` and `.` are Python's by construction. ASCII characters are their own code (an ASCII line is
//! searched as it is); word classes get codes that begin and end with an ASCII word byte and the other
//! classes codes without one, so the DFA's ASCII `\b` sees Python's word boundaries.
//!
//! The answer for a line is the one of `RuleSet._match_gated`: the first rule (in pack order) that
//! allows the line's length, whose literal gate (one of its literals occurs in `str.lower()` of the
//! line; no gate: always) passes, and that fullmatches. Rules whose every branch starts with a fixed
//! head are one multi-pattern lazy DFA (it dies within a few bytes of most lines); the others, which
//! may start anywhere (`.{0,80}\b(?:download|...)`), run one by one, only when their gate passes.
//!
//! `first_matches` answers every line of a body at once: the rule index, -1 for none, -2 when the line
//! must take the Python path (a lone surrogate, a newline, or a character `rules_native` leaves out).

use aho_corasick::{AhoCorasick, MatchKind as LiteralKind};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, PatternSet};

const NO_CLASS: u16 = u16::MAX;

struct Loose {
    rule: usize,
    re: Regex,
    cache: meta::Cache,
}

#[pyclass(module = "wirefeed_native")]
pub struct RuleMatcher {
    /// the anchored rules as one regex (pattern k is rule `anchored[k]`)
    union: Regex,
    union_cache: meta::Cache,
    set: PatternSet,
    anchored: Vec<usize>,
    /// the other rules, in pack order
    loose: Vec<Loose>,
    /// rule -> its gate literals (lower case); None: no gate
    gates: Vec<Option<AhoCorasick>>,
    /// per distinct cap of the loose rules (ascending): the gate literals of every loose rule allowed
    /// to see lines that long (None: one of them has no gate)
    screens: Vec<(usize, Option<AhoCorasick>)>,
    max_len: Vec<usize>,
    longest: usize,
    /// code point -> class id, for the Basic Multilingual Plane (NO_CLASS: the Python path)
    bmp: Vec<u16>,
    astral_starts: Vec<u32>,
    astral_ids: Vec<u16>,
    /// class id -> code (bytes, length)
    codes: Vec<([u8; 3], u8)>,
    /// `str.lower()` of the non-ASCII characters that have another lower case: (code point, lower)
    lower: Vec<(u32, u32)>,
    buf: Vec<u8>,
    /// `str.lower()` of the current line (computed when a gate asks)
    low: Vec<u8>,
    lowered: bool,
}

fn automaton(literals: &[String]) -> PyResult<AhoCorasick> {
    AhoCorasick::builder()
        .match_kind(LiteralKind::LeftmostFirst) // lets a SIMD prefilter (Teddy) search for the literals
        .build(literals)
        .map_err(|e| PyValueError::new_err(format!("gate literals: {e}")))
}

/// Lazy DFA cache of the multi-pattern regex, and of each loose rule's (they see few states).
const UNION_CACHE: usize = 8 << 20;
const LOOSE_CACHE: usize = 1 << 20;

fn build(patterns: &[String], kind: MatchKind, cache: usize) -> PyResult<Regex> {
    Regex::builder()
        .configure(
            Regex::config()
                .match_kind(kind)
                .utf8_empty(false)
                .nfa_size_limit(Some(64 << 20))
                .hybrid_cache_capacity(cache),
        )
        .syntax(syntax::Config::new().unicode(false).utf8(false))
        .build_many(patterns)
        .map_err(|e| PyValueError::new_err(format!("rule pattern does not compile: {e}")))
}

impl RuleMatcher {
    #[inline]
    fn class_of(&self, cp: u32) -> u16 {
        if cp < 0x10000 {
            return self.bmp[cp as usize];
        }
        match self.astral_starts.binary_search(&cp) {
            Ok(i) => self.astral_ids[i],
            Err(0) => NO_CLASS,
            Err(i) => self.astral_ids[i - 1],
        }
    }

    /// The code of a line that is not all ASCII into `buf` (ASCII characters are their own code),
    /// its length in characters and whether it holds a non-ASCII character with another lower case;
    /// None: the Python path.
    fn encode(&self, line: &str, buf: &mut Vec<u8>) -> Option<(usize, bool)> {
        buf.clear();
        buf.reserve(line.len() + 16);
        let bytes = line.as_bytes();
        let (mut n, mut cased, mut i) = (0, false, 0);
        while i < bytes.len() {
            // a run of ASCII characters is its own code
            let run = bytes[i..].iter().position(|&b| b >= 0x80).unwrap_or(bytes.len() - i);
            buf.extend_from_slice(&bytes[i..i + run]);
            n += run;
            i += run;
            let Some(c) = line[i..].chars().next() else { break };
            i += c.len_utf8();
            n += 1;
            let cp = c as u32;
            cased |= self.lower.binary_search_by_key(&cp, |&(k, _)| k).is_ok();
            let id = self.class_of(cp);
            if id == NO_CLASS {
                return None;
            }
            let (code, len) = &self.codes[id as usize];
            buf.extend_from_slice(&code[..*len as usize]);
        }
        Some((n, cased))
    }

    /// Whether the rule's gate lets the line through: one of its literals occurs in `str.lower()` of
    /// the line (`cased`: the line holds a non-ASCII character with another lower case).
    fn gate_open(&mut self, rule: usize, line: &str, cased: bool) -> bool {
        if self.gates[rule].is_none() {
            return true;
        }
        self.lower_line(line, cased);
        self.gates[rule].as_ref().is_some_and(|ac| ac.is_match(self.low.as_slice()))
    }

    /// `str.lower()` of the line into `low`, once per line.
    fn lower_line(&mut self, line: &str, cased: bool) {
        if self.lowered {
            return;
        }
        self.lowered = true;
        self.low.clear();
        if cased {
            let mut tmp = [0u8; 4];
            for c in line.chars() {
                let cp = c as u32;
                let lo = match self.lower.binary_search_by_key(&cp, |&(k, _)| k) {
                    Ok(i) => char::from_u32(self.lower[i].1).unwrap_or(c),
                    Err(_) => c.to_ascii_lowercase(),
                };
                self.low.extend_from_slice(lo.encode_utf8(&mut tmp).as_bytes());
            }
        } else {
            self.low.extend_from_slice(line.as_bytes());
            self.low.make_ascii_lowercase(); // no other character of the line has a lower case
        }
    }

    fn first(&mut self, line: &str) -> i32 {
        if line.is_empty() || line.len() > 4 * self.longest {
            return -1; // a UTF-8 character has at most 4 bytes: too long for every rule
        }
        if memchr::memchr(b'\n', line.as_bytes()).is_some() {
            return -2; // `$` may match before a final newline: Python decides
        }
        let mut buf = std::mem::take(&mut self.buf);
        let ascii = line.is_ascii();
        let (n, cased) = if ascii {
            (line.len(), false)
        } else {
            match self.encode(line, &mut buf) {
                Some(found) => found,
                None => {
                    self.buf = buf;
                    return -2;
                }
            }
        };
        self.lowered = false;
        if n > self.longest {
            self.buf = buf;
            return -1;
        }
        let mut best = usize::MAX;
        self.set.clear();
        let input = Input::new(if ascii { line.as_bytes() } else { buf.as_slice() }).anchored(Anchored::Yes);
        self.union
            .which_overlapping_matches_with(&mut self.union_cache, &input, &mut self.set);
        if !self.set.is_empty() {
            let found: Vec<usize> = self.set.iter().map(|p| self.anchored[p.as_usize()]).collect();
            for rule in found {
                if self.max_len[rule] >= n && self.gate_open(rule, line, cased) {
                    best = rule;
                    break;
                }
            }
        }
        // one search for the literals of every loose rule that may see the line: usually none occurs
        let screen = self.screens.partition_point(|x| x.0 < n);
        let skip = match self.screens.get(screen) {
            Some((_, Some(_))) => {
                self.lower_line(line, cased);
                let ac = self.screens[screen].1.as_ref();
                !ac.is_some_and(|ac| ac.is_match(self.low.as_slice()))
            }
            _ => false,
        };
        for k in 0..if skip { 0 } else { self.loose.len() } {
            let rule = self.loose[k].rule;
            if rule >= best {
                break;
            }
            if self.max_len[rule] < n {
                continue;
            }
            if !self.gate_open(rule, line, cased) {
                continue;
            }
            let lo = &mut self.loose[k];
            // the pattern ends with \z, so any match is a full match
            if lo.re.search_half_with(&mut lo.cache, &input.clone().earliest(true)).is_some() {
                best = rule;
                break;
            }
        }
        self.buf = buf;
        if best == usize::MAX {
            -1
        } else {
            best as i32
        }
    }
}

#[pymethods]
impl RuleMatcher {
    /// patterns: one byte regex per rule, in pack order; anchored: whether the rule goes into the
    /// multi-pattern DFA; max_len: each rule's line-length cap; gates: each rule's gate literals
    /// (lower case) or None; starts/ids: the alphabet's intervals (first code point, class id; sorted,
    /// from 0); codes: each class's code; lower: (code point, lower case) of non-ASCII characters.
    #[new]
    #[allow(clippy::too_many_arguments)]
    fn new(
        patterns: Vec<String>,
        anchored: Vec<bool>,
        max_len: Vec<usize>,
        gates: Vec<Option<Vec<String>>>,
        starts: Vec<u32>,
        ids: Vec<u16>,
        codes: Vec<Vec<u8>>,
        lower: Vec<(u32, u32)>,
    ) -> PyResult<Self> {
        let n_rules = patterns.len();
        if anchored.len() != n_rules || max_len.len() != n_rules || gates.len() != n_rules {
            return Err(PyValueError::new_err("one pattern, kind, cap and gate per rule"));
        }
        if starts.len() != ids.len() || starts.first() != Some(&0) || !starts.windows(2).all(|w| w[0] < w[1]) {
            return Err(PyValueError::new_err("alphabet intervals must be sorted and start at 0"));
        }
        if ids.iter().any(|&i| i != NO_CLASS && i as usize >= codes.len())
            || codes.iter().enumerate().any(|(k, c)| c.is_empty() || c.len() > 3 || (k < 0x80 && c[..] != [k as u8]))
        {
            return Err(PyValueError::new_err("every class needs a code of 1-3 bytes, ASCII its own"));
        }
        let mut lower = lower;
        lower.sort_unstable();
        let union_rules: Vec<usize> = (0..n_rules).filter(|&i| anchored[i]).collect();
        let union_pats: Vec<String> = union_rules.iter().map(|&i| patterns[i].clone()).collect();
        let union = build(&union_pats, MatchKind::All, UNION_CACHE)?;
        let mut loose = Vec::new();
        for i in (0..n_rules).filter(|&i| !anchored[i]) {
            let re = build(std::slice::from_ref(&patterns[i]), MatchKind::LeftmostFirst, LOOSE_CACHE)?;
            let cache = re.create_cache();
            loose.push(Loose { rule: i, re, cache });
        }
        let mut caps: Vec<usize> = loose.iter().map(|l| max_len[l.rule]).collect();
        caps.sort_unstable();
        caps.dedup();
        let mut screens = Vec::new();
        for &cap in &caps {
            let seen: Vec<&Option<Vec<String>>> =
                loose.iter().filter(|l| max_len[l.rule] >= cap).map(|l| &gates[l.rule]).collect();
            let screen = if seen.iter().all(|g| g.is_some()) {
                let mut lits: Vec<String> = seen.iter().filter_map(|g| g.as_ref()).flatten().cloned().collect();
                lits.sort_unstable();
                lits.dedup();
                Some(automaton(&lits)?)
            } else {
                None // a loose rule without a gate always runs
            };
            screens.push((cap, screen));
        }
        let gates = gates
            .iter()
            .map(|g| g.as_ref().map(|lits| automaton(lits)).transpose())
            .collect::<PyResult<Vec<_>>>()?;
        let mut bmp = vec![NO_CLASS; 0x10000];
        let mut astral_starts = Vec::new();
        let mut astral_ids = Vec::new();
        for (k, (&s, &id)) in starts.iter().zip(&ids).enumerate() {
            let e = starts.get(k + 1).copied().unwrap_or(0x110000);
            if s < 0x10000 {
                for cp in s..e.min(0x10000) {
                    bmp[cp as usize] = id;
                }
            }
            if e > 0x10000 {
                astral_starts.push(s.max(0x10000));
                astral_ids.push(id);
            }
        }
        let codes: Vec<([u8; 3], u8)> = codes
            .iter()
            .map(|c| {
                let mut code = [0u8; 3];
                code[..c.len()].copy_from_slice(c);
                (code, c.len() as u8)
            })
            .collect();
        let longest = max_len.iter().copied().max().unwrap_or(0);
        let union_cache = union.create_cache();
        let set = PatternSet::new(union.pattern_len());
        Ok(RuleMatcher {
            union,
            union_cache,
            set,
            anchored: union_rules,
            loose,
            gates,
            screens,
            max_len,
            longest,
            bmp,
            astral_starts,
            astral_ids,
            codes,
            lower,
            buf: Vec::new(),
            low: Vec::new(),
            lowered: false,
        })
    }

    /// For each line (a str): the first rule that takes it, -1 for none, -2 for "ask Python".
    fn first_matches(&mut self, lines: &Bound<'_, PyList>) -> PyResult<Vec<i32>> {
        let mut out = Vec::with_capacity(lines.len());
        for item in lines.iter() {
            let s = item.downcast::<PyString>()?;
            out.push(match s.to_str() {
                Ok(line) => self.first(line),
                Err(_) => -2,
            });
        }
        Ok(out)
    }

    /// Bytes held by the search caches (lazy DFA states grow with the lines seen, up to their capacity).
    fn cache_bytes(&self) -> usize {
        self.union_cache.memory_usage() + self.loose.iter().map(|l| l.cache.memory_usage()).sum::<usize>()
    }

    /// The alphabet code of a line, None if it takes the Python path (for tests).
    fn encode_line(&self, line: &str) -> Option<Vec<u8>> {
        if line.is_ascii() {
            return Some(line.as_bytes().to_vec());
        }
        let mut buf = Vec::new();
        self.encode(line, &mut buf).map(|_| buf)
    }
}
