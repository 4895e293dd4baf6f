"""Error messages for names the user typed: an unknown model, family or dataset suggests the close ones."""
from __future__ import annotations

import difflib

PLURALS = {"family": "families"}


def clipped(text: str, limit: int = 500) -> str:
    """`text` for an error message, cut at `limit` characters (a crafted file's config can be megabytes)."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text):,} characters in all)"


def shown(text, limit: int = 200) -> str:
    """A name from outside (a file name, a card's name) as it may reach a terminal: every control character
    escaped (newlines too: a name is one line), and cut at `limit` characters."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text))
    return clipped(text, limit)


def unknown_name_error(name: str, known: list[str], what: str = "model") -> KeyError:
    close = difflib.get_close_matches(name, known, n=5, cutoff=0.4)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    where = " zoo.list_models() (or `zoo list`) shows all" if what == "model" else f" The {PLURALS.get(what, what + 's')} are"
    listing = f"{where} {len(known)}." if what == "model" else f"{where}: {', '.join(sorted(known))}."
    return KeyError(f"Unknown {what} {name!r}.{hint}{listing}")
