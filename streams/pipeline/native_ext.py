"""The optional compiled extension (native/, module ``wirefeed_native``) and its on/off switch.

One place for both, so the tagger and the router agree on what "built" and "switched off" mean.
"""

from __future__ import annotations

import dataclasses
import os
import types
from typing import Any

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


def slot_fields(cls: type, expected: tuple[str, ...]) -> list[Any]:
    """Member descriptors of a plain slots dataclass's fields, in order, for the native side to fill
    an instance slot by slot without running ``__init__``: equal to ``cls(...)`` only while the
    class has exactly these fields, slots and no ``__post_init__`` (checked here)."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    if names != expected or "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise RuntimeError(f"{cls.__name__} changed: update native/src and its bridge")
    descrs = [cls.__dict__[n] for n in names]
    if not all(isinstance(d, types.MemberDescriptorType) for d in descrs):
        raise RuntimeError(f"{cls.__name__}: fields are not plain slots")
    return descrs
