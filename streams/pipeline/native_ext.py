"""The optional compiled extension (native/, module ``wirefeed_native``) and its on/off switch.

One place for both, so the tagger and the router agree on what "built" and "switched off" mean.
"""

from __future__ import annotations

import os

try:  # optional: without it every story takes the Python path
    import wirefeed_native
except ImportError:  # pragma: no cover - depends on the build
    wirefeed_native = None

ENV = "WIREFEED_NATIVE"


def has(cls_name: str) -> bool:
    """Whether the extension is built and provides ``cls_name``."""
    return wirefeed_native is not None and hasattr(wirefeed_native, cls_name)


def switched_off() -> bool:
    """WIREFEED_NATIVE=0, for library use; the worker passes ``Settings.native`` instead.

    Read when a tagger or a rule set is built, never per story.
    """
    return os.environ.get(ENV, "1").strip().lower() in {"0", "false", "no"}
