//! Compiled `streams/key_filter.py` `KeyFilter`: a Bloom filter over `str` keys (two probes from
//! Python's own hash of the key, which a `str` caches), so that a check costs no Python frame.
//! Same sizing and the same answers' guarantee (no false negatives) as the Python class.

use pyo3::prelude::*;

const MIN_BITS: u64 = 1 << 23;
const BITS_PER_KEY: u64 = 16;

#[pyclass(module = "wirefeed_native")]
pub struct KeyFilter {
    bits: Vec<u8>,
    mask: u64,
    #[pyo3(get)]
    capacity: u64,
    #[pyo3(get)]
    count: u64,
}

impl KeyFilter {
    #[inline]
    fn probes(&self, key: &Bound<'_, PyAny>) -> PyResult<(u64, u64)> {
        let h = key.hash()? as i64;
        Ok((h as u64 & self.mask, (h >> 32) as u64 & self.mask))
    }

    #[inline]
    fn has(&self, i: u64) -> bool {
        self.bits[(i >> 3) as usize] & (1 << (i & 7)) != 0
    }

    fn add_one(&mut self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        let (i, j) = self.probes(key)?;
        if !(self.has(i) && self.has(j)) {
            self.count += 1;
            self.bits[(i >> 3) as usize] |= 1 << (i & 7);
            self.bits[(j >> 3) as usize] |= 1 << (j & 7);
        }
        Ok(())
    }
}

#[pymethods]
impl KeyFilter {
    #[new]
    #[pyo3(signature = (capacity, min_bits = MIN_BITS))]
    fn new(capacity: u64, min_bits: u64) -> Self {
        let want = capacity.max(1).saturating_mul(BITS_PER_KEY);
        let n = min_bits
            .max(8)
            .next_power_of_two()
            .max(want.next_power_of_two());
        KeyFilter {
            bits: vec![0; (n >> 3) as usize],
            mask: n - 1,
            capacity: n / BITS_PER_KEY,
            count: 0,
        }
    }

    fn add(&mut self, key: &Bound<'_, PyAny>) -> PyResult<()> {
        self.add_one(key)
    }

    /// Add every key of an iterable.
    fn update(&mut self, keys: &Bound<'_, PyAny>) -> PyResult<()> {
        for key in keys.try_iter()? {
            self.add_one(&key?)?;
        }
        Ok(())
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        let (i, j) = self.probes(key)?;
        Ok(self.has(i) && self.has(j))
    }

    #[getter]
    fn full(&self) -> bool {
        self.count > self.capacity
    }
}
