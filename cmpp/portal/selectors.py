"""Who a user is on the programme, read once per request for the pages that combine apps."""

from dataclasses import dataclass

from cmpp.accounts.selectors import user_is_programme_staff, user_sees_whole_programme
from councils.selectors import council_ids_led_by
from learners.selectors import learner_of_user


@dataclass(frozen=True)
class Roles:
    is_programme_staff: bool
    sees_whole_programme: bool
    is_sro: bool
    is_learner: bool


def roles_of(user) -> Roles:
    if not hasattr(user, "_cmpp_roles"):
        user._cmpp_roles = Roles(
            is_programme_staff=user_is_programme_staff(user),
            sees_whole_programme=user_sees_whole_programme(user),
            is_sro=bool(council_ids_led_by(user)),
            is_learner=learner_of_user(user=user) is not None,
        )
    return user._cmpp_roles
