"""Rules for text that people type or import, shared by the web forms and the CSV import."""

import re

# Tab and line breaks lay out what people write. Every other control character (a NUL, an
# escape, a backspace) is invisible, never meant, and breaks exports, emails and PostgreSQL.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str) -> str | None:
    """The first control character in `text` other than tab and line breaks, if there is one."""
    found = CONTROL_CHARACTER.search(text)
    return found[0] if found else None
