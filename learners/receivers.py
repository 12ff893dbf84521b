"""What learners does when something happens in an app below it that cannot call upwards."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from cmpp.accounts.signals import invitation_accepted
from cohorts.models import LevelStep
from learners import services
from learners.models import StepProgress


@receiver(invitation_accepted, dispatch_uid="learners.link_account")
def _link_learner_record(sender, invitation, user, **kwargs):
    services.learner_link_account(user=user)


@receiver(post_save, sender=LevelStep, dispatch_uid="learners.step_counts")
def _recount_steps_of_level(sender, instance, created, update_fields=None, **kwargs):
    """A step retired or restored (cohorts.services) changes the steps done of the learners
    aiming at its level who completed it; a new step changes nobody's."""
    if created or (update_fields is not None and "is_active" not in update_fields):
        return
    learner_ids = (
        StepProgress.objects.filter(
            step=instance,
            status=StepProgress.Status.COMPLETED,
            learner__target_level=instance.level_id,
        )
        .values_list("learner_id", flat=True)
        .distinct()
    )
    services.learner_refresh_progress(learner_ids=list(learner_ids))
