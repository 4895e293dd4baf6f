"""Error messages for names the user typed: an unknown model, family or dataset suggests the close ones."""
from __future__ import annotations

import difflib

PLURALS = {"family": "families"}


def clipped(text: str, limit: int = 500) -> str:
    """`text` for an error message, cut at `limit` characters (a crafted file's config can be megabytes)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters in all)"


def unknown_name_error(name: str, known: list[str], what: str = "model") -> KeyError:
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    where = " zoo.list_models() (or `zoo list`) shows all" if what == "model" else f" The {PLURALS.get(what, what + 's')} are"
    listing = f"{where} {len(known)}." if what == "model" else f"{where}: {', '.join(sorted(known))}."
    return KeyError(f"Unknown {what} {name!r}.{hint}{listing}")
