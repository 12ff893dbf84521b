"""Rules for text that people type or import, shared by the web forms and the CSV import."""

import re

from django.db.models import Q

# Tab and line breaks lay out what people write. Every other control character (a NUL, an
# escape, a backspace) is invisible, never meant, and breaks exports, emails and PostgreSQL.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_character(text: str) -> str | None:
    """The first control character in `text` other than tab and line breaks, if there is one."""
    found = CONTROL_CHARACTER.search(text)
    return found[0] if found else None


def search_words(query: str) -> list[str]:
    """The words of a search box, with the typographic apostrophe phones type (’) read as '."""
    return query.replace("\u2019", "'").replace("\u2018", "'").split()


def words_q(query: str, *fields: str, exact: tuple[str, ...] = ()) -> Q:
    """Records where every word typed is part of one of `fields` (or the whole of one of
    `exact`), in any order: "Ibrahim Ali" and "Ali Ibrahim" both find Ibrahim Ali. A word with
    an apostrophe also finds the same name stored with a typographic one."""
    condition = Q()
    for word in search_words(query):
        variants = {word, word.replace("'", "\u2019")}
        either = Q()
        for variant in variants:
            for field in fields:
                either |= Q(**{f"{field}__icontains": variant})
            for field in exact:
                either |= Q(**{f"{field}__iexact": variant})
        condition &= either
    return condition
