"""What networks does when something happens below it that cannot call upwards: a council's
new SRO or deputy, or a learner who now signs in, joins the network their council is in; someone
whose last role at a council is removed leaves the SRO Network they were in through it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from councils.models import CouncilRole
from learners.models import Learner
from networks import services
from networks.models import Network


@receiver(post_save, sender=CouncilRole, dispatch_uid="networks.role_joins")
def _role_joins_sro_network(sender, instance, raw=False, **kwargs):
    if raw:
        return
    services.network_person_join(
        audience=Network.Audience.SROS, council_id=instance.council_id, user_id=instance.user_id
    )


@receiver(post_delete, sender=CouncilRole, dispatch_uid="networks.role_leaves")
def _role_leaves_sro_network(sender, instance, **kwargs):
    if CouncilRole.objects.filter(
        council_id=instance.council_id, user_id=instance.user_id
    ).exists():
        return
    services.network_person_leave(
        audience=Network.Audience.SROS, council_id=instance.council_id, user_id=instance.user_id
    )


@receiver(post_save, sender=Learner, dispatch_uid="networks.learner_joins")
def _learner_joins_learners_network(
    sender, instance, created=False, update_fields=None, raw=False, **kwargs
):
    """When a learner record is linked to an account (saved with `user` set, as
    learner_link_account does), the learner joins the Learners Network if their council is in
    it. Saves that do not touch `user` ask nothing."""
    if raw or not instance.user_id:
        return
    if instance.status == Learner.Status.WITHDRAWN:
        # A learner who withdraws leaves (no more meeting emails); their attendance stays.
        services.network_person_leave(
            audience=Network.Audience.LEARNERS,
            council_id=instance.council_id,
            user_id=instance.user_id,
        )
        return
    if update_fields is not None and "user" not in update_fields:
        return
    services.network_person_join(
        audience=Network.Audience.LEARNERS,
        council_id=instance.council_id,
        user_id=instance.user_id,
    )
