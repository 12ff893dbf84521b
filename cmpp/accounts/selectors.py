"""Reads about who a user is in the programme, cached on the user for the request."""

from cmpp.accounts.models import Organisation, StaffMembership


def _staff_roles(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_cmpp_staff_roles"):
        user._cmpp_staff_roles = set(
            StaffMembership.objects.filter(user=user).values_list("role", flat=True)
        )
    return user._cmpp_staff_roles


def remember_staff_roles(user, roles: set[str]) -> None:
    """Keep the user's staff roles, read with the rest of who they are in one query (the
    portal's `roles_of`), for the rules below."""
    user._cmpp_staff_roles = set(roles)


def user_is_programme_staff(user) -> bool:
    """Programme staff manage every council, cohort and learner."""
    return StaffMembership.Role.PROGRAMME_STAFF in _staff_roles(user)


def user_sees_whole_programme(user) -> bool:
    """Programme staff and viewers read every council's records."""
    return bool(_staff_roles(user))


def programme_staff_of(organisations):
    """The one rule for who hears on an organisation's behalf: its active programme staff
    (viewers only read), as memberships with their users."""
    return StaffMembership.objects.filter(
        organisation__in=organisations,
        role=StaffMembership.Role.PROGRAMME_STAFF,
        user__is_active=True,
    ).select_related("user")


def managing_bodies():
    return Organisation.objects.filter(can_manage_councils=True)


def organisation_get_by_slug(*, slug: str) -> Organisation:
    return Organisation.objects.get(slug=slug)


def user_must_have_mfa(user) -> bool:
    """Programme staff and viewers, council SROs and anyone the Django admin lets in: everyone
    who sees more than their own record. (Council roles are read through the reverse relation,
    as councils sit above.)"""
    return (
        user.is_staff
        or StaffMembership.objects.filter(user=user).exists()
        or user.council_roles.exists()
    )
