"""Who a user is on the programme, read once per request for the pages that combine apps."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef

from cmpp.accounts.models import StaffMembership
from cmpp.accounts.selectors import (
    remember_staff_roles,
    user_is_programme_staff,
    user_sees_whole_programme,
)
from councils.models import CouncilRole
from councils.selectors import remember_leads_no_council
from learners.models import Learner
from learners.selectors import remember_not_a_learner


@dataclass(frozen=True)
class Roles:
    is_programme_staff: bool
    sees_whole_programme: bool
    is_sro: bool
    is_learner: bool


def roles_of(user) -> Roles:
    """The user's roles, read in one query: their staff roles and whether they lead a council or
    have a learner record. Each app's access rules (and the navigation) read these again from
    their own tables, so what this query found is handed to them: a staff dashboard then reads
    who the user is once, not three times."""
    if not hasattr(user, "_cmpp_roles"):
        mine = OuterRef("pk")
        row = (
            get_user_model()
            .objects.filter(pk=user.pk)
            .values(
                **{
                    role: Exists(StaffMembership.objects.filter(user=mine, role=role))
                    for role in StaffMembership.Role.values
                },
                leads_a_council=Exists(CouncilRole.objects.filter(user=mine)),
                is_a_learner=Exists(Learner.objects.filter(user=mine)),
            )
            .get()
        )
        staff_roles = {role for role in StaffMembership.Role.values if row[role]}
        remember_staff_roles(user, staff_roles)
        if not row["leads_a_council"]:
            remember_leads_no_council(user)
        if not row["is_a_learner"]:
            remember_not_a_learner(user)
        user._cmpp_roles = Roles(
            is_programme_staff=user_is_programme_staff(user),
            sees_whole_programme=user_sees_whole_programme(user),
            is_sro=row["leads_a_council"],
            is_learner=row["is_a_learner"],
        )
    return user._cmpp_roles
