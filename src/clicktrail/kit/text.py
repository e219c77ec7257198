"""Text that no database column can hold, found before it reaches one."""

from __future__ import annotations

from typing import Any

Location = tuple[str | int, ...]
UNSTORABLE = "Text may not contain NUL characters or unpaired surrogates"


def storable(text: str) -> bool:
    """PostgreSQL refuses NUL in text; no driver can encode an unpaired surrogate as UTF-8
    (JSON's `"\\ud800"` escape decodes to one)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable(value: Any, at: Location = ()) -> Location | None:
    """Where the first unstorable string is in `value` (a string, or JSON's dicts and lists),
    or None. A key is reported as where its object is: a path that showed it could not be
    written as UTF-8 either."""
    if isinstance(value, str):
        return None if storable(value) else at
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not storable(key):
                return at
            found = unstorable(item, (*at, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = unstorable(item, (*at, index))
            if found is not None:
                return found
    return None
