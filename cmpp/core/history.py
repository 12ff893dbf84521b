"""A record's history as people read it: when, who, and what changed, from simple-history."""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone

SHOWN = 20
# Bookkeeping fields that change on every save and say nothing to a reader.
IGNORED = {"created_at", "updated_at", "id"}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    what: str
    changes: list[str]


def _show(record, field) -> str:
    value = getattr(record, field.attname)
    if value in (None, ""):
        return "blank"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "j M Y, H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j M Y")
    return str(value)


def history_entries(history_queryset, limit: int = SHOWN) -> list[HistoryEntry]:
    """The newest `limit` changes. Each is compared with the one before it in Python (one query
    for the lot), naming the fields that changed with their old and new values."""
    records = list(
        history_queryset.select_related("history_user").order_by("-history_date", "-pk")[
            : limit + 1
        ]
    )
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            for field in record.instance_type._meta.concrete_fields:
                if field.name in IGNORED:
                    continue
                before, after = getattr(previous, field.attname), getattr(record, field.attname)
                if before == after:
                    continue
                label = str(field.verbose_name).capitalize()
                if field.is_relation:
                    changes.append(f"{label} changed")
                else:
                    changes.append(f"{label}: {_show(previous, field)} to {_show(record, field)}")
        what = record.get_history_type_display()
        if record.history_change_reason:
            what = f"{what}: {record.history_change_reason}"
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() if user else "") or "System",
                what=what,
                changes=changes,
            )
        )
    return entries
