"""What learners does when something happens in an app below it that cannot call upwards."""

from django.dispatch import receiver

from cmpp.accounts.signals import invitation_accepted
from learners import services


@receiver(invitation_accepted, dispatch_uid="learners.link_account")
def _link_learner_record(sender, invitation, user, **kwargs):
    services.learner_link_account(user=user)
