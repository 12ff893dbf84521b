"""Writing a benchmark's section of docs/benchmarks.md: the section from its `## ` title to the
next is replaced whole, or added at the end; the rest of the file is left as it is."""

import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
PREAMBLE = (
    "# Benchmarks\n\nFigures from scripts run by hand, not timed tests. Each section says what "
    "was measured,\nhow to run it again, and on what machine it last ran.\n"
)


def write_section(title: str, body: str) -> Path:
    """Put `title` (a `## ` heading) and `body` in the file; returns its path."""
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else PREAMBLE
    section = f"{title}\n\n{body.strip()}\n"
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = f"{text.rstrip()}\n\n{section}"
    BENCHMARKS.write_text(text.rstrip("\n") + "\n")
    return BENCHMARKS
