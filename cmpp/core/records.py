"""Saving a record the one way every service does: checked, with who did it (and why) in its
history; and applying a form's dict of changes to the fields a service allows."""

from collections.abc import Iterable


def record_save(instance, *, acting_user, reason: str = "", update_fields=None):
    """Check the record (`full_clean`), then save it naming who acted and, if given, why."""
    instance._history_user = acting_user
    if reason.strip():
        # simple-history keeps at most 100 characters of a reason.
        instance._change_reason = reason.strip()[:100]
    instance.full_clean()
    instance.save(update_fields=update_fields)
    return instance


def record_apply(instance, *, editable: Iterable[str], changes: dict) -> None:
    """Set each changed field, trimming text; a field the service does not allow is a bug in the
    caller, so it raises TypeError rather than being ignored."""
    unknown = set(changes) - set(editable)
    if unknown:
        raise TypeError(f"Cannot change {', '.join(sorted(unknown))} here")
    for name, value in changes.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)
