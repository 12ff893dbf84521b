"""Signals accounts sends to the apps above it, which it must not import."""

from django.dispatch import Signal

# Sent inside the transaction that uses up an invitation, with `invitation` and `user`. The
# token proved that the person reads the invitation's mailbox; apps above link what was waiting
# on that proof (learners link the learner records invited to this account).
invitation_accepted = Signal()
