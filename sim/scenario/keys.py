"""Key paths: where a value sits in a scenario, as a tuple or as dotted text.

``("policy", "announcements", 1, "cap")`` is written ``policy.announcements.1.cap`` in
``--set``, experiment files and messages; whole-number parts are list positions.
"""

from __future__ import annotations

Key = tuple[str | int, ...]


def as_key(path: str) -> Key:
    """``"a.b.0.c"`` as ``("a", "b", 0, "c")``."""
    return tuple(int(p) if p.isdigit() else p for p in path.split("."))


def dotted(path: Key) -> str:
    """``("a", "b", 0, "c")`` as ``"a.b.0.c"``."""
    return ".".join(str(p) for p in path)
