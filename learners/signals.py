"""What learners tells the apps above it, which it may not import."""

from django.dispatch import Signal

# Sent after the commit that anonymised learners, with `council_since`: each of their councils'
# ids, with the first day any of them there had joined (anything as at that day or later may
# name them). The reports app builds again the council reports that named them.
learners_anonymised = Signal()
