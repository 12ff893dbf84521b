"""Writes to councils. Every function is atomic and records who acted."""

from datetime import date

from django.db import transaction

from cmpp.accounts.models import Organisation
from councils.models import Council, ManagingBodyPeriod


@transaction.atomic
def council_hand_over(
    *, council: Council, to_organisation: Organisation, on: date, acting_user
) -> ManagingBodyPeriod:
    """End the council's current managing-body period on `on` and open the next from that date."""
    current = (
        ManagingBodyPeriod.objects.select_for_update()
        .filter(council=council, ends_on__isnull=True)
        .first()
    )
    if current is not None:
        if current.organisation_id == to_organisation.pk:
            return current
        current.ends_on = on
        current._history_user = acting_user
        current.full_clean()
        current.save(update_fields=["ends_on", "updated_at"])
    period = ManagingBodyPeriod(council=council, organisation=to_organisation, starts_on=on)
    period._history_user = acting_user
    period.full_clean()
    period.save()
    return period
