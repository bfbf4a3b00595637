"""Garbage-collector thresholds for long runs (the worker, ``wirefeed process``).

The worker holds millions of long-lived container objects (state views, memo caches, Faust's own),
and CPython's default thresholds (700, 10, 10) ran a full collection every few seconds that found
nothing to free: 100–200 ms each, 4.2 s over the life of a worker in one saturation benchmark
(start-up and a 17 s backlog). With a young generation of 50,000 allocations and a full collection
after 100 middle ones, the same benchmark spent 0.8 s in the collector (docs/performance.md,
"Session 6"). Reference counting still frees everything that is not in a cycle at once; cycles wait
longer, and the RSS after the run was the same.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 100)


def tune_for_long_runs() -> None:
    """Raise the thresholds and move what start-up built (the KB, imports) out of every collection."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
