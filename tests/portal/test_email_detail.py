"""Staff open one email from the log and read it; a sign-in link's text stays hidden."""

import pytest
from django.urls import reverse

from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_html, email_queue

pytestmark = pytest.mark.django_db


def queue(key, to_email, sensitive=False):
    return email_queue(
        key=key,
        purpose=OutboundEmail.Purpose.ENROLMENT,
        to_email=to_email,
        template="notifications/email/learner_added",
        context={"first_name": "Sam", "council_name": "Reading", "level_name": "Practitioner"},
        sensitive=sensitive,
    )


def test_staff_read_an_email_and_its_recipient_links_to_the_learner(cast, client):
    email = queue("one", cast.learner_a.email)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status="failed", attempts=7, last_error="SMTPServerDisconnected: gone"
    )
    client.force_login(cast.staff)
    page = client.get(reverse("email_detail", args=[email.pk])).text
    assert email.subject in page
    assert "has put you forward" in page
    assert "SMTPServerDisconnected: gone" in page and "Failed" in page
    assert reverse("learners:detail", args=[cast.learner_a.pk]) in page
    assert "Resend this email" in page


def test_a_recipient_who_is_no_learner_is_not_linked(cast, client):
    email = queue("two", "someone@else.test")
    client.force_login(cast.staff)
    page = client.get(reverse("email_detail", args=[email.pk])).text
    assert "someone@else.test" in page and "/learners/" not in page.split("<main")[1]


def test_a_sign_in_link_email_shows_no_text(cast, client):
    email = queue("three", cast.learner_a.email, sensitive=True)
    client.force_login(cast.staff)
    page = client.get(reverse("email_detail", args=[email.pk])).text
    assert "The text of this email is hidden because it contains a sign-in link" in page
    assert "has put you forward" not in page


def test_the_log_rows_link_to_each_email(cast, client):
    email = queue("four", cast.learner_a.email)
    client.force_login(cast.staff)
    page = client.get(reverse("email_log")).text
    assert reverse("email_detail", args=[email.pk]) in page


@pytest.mark.parametrize("who", ["viewer", "sro_a", "learner_a_user"])
def test_only_programme_staff_open_an_email(cast, client, who):
    email = queue("five", cast.learner_a.email)
    client.force_login(getattr(cast, who))
    assert client.get(reverse("email_detail", args=[email.pk])).status_code in (403, 404)


def test_every_email_names_the_programme_team(cast, settings):
    settings.CMPP_PROGRAMME_CONTACT_EMAIL = "team@cmpp.example.gov.uk"
    email = queue("six", "someone@else.test")
    assert email.body_text.rstrip().endswith(
        "Questions? Contact the programme team at team@cmpp.example.gov.uk."
    )
    assert "mailto:team@cmpp.example.gov.uk" in email_html(email)
