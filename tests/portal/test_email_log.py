"""Programme staff see every email the portal owes people, filter the log and resend failures."""

import re

import pytest
from django.core import mail
from django.utils import timezone

from cmpp.notifications.models import OutboundEmail
from cmpp.notifications.services import email_queue

pytestmark = pytest.mark.django_db


def make_email(key, to_email, status=OutboundEmail.Status.SENT, purpose="invitation", **fields):
    email = email_queue(
        key=key,
        purpose=purpose,
        to_email=to_email,
        template="notifications/email/learner_added",
        context={"first_name": "Sam", "council_name": "Reading", "level_name": "Practitioner"},
    )
    OutboundEmail.objects.filter(pk=email.pk).update(status=status, **fields)
    return email


@pytest.fixture
def emails(cast):
    return {
        "sent": make_email("a", "sent.person@a.test", attempts=1, sent_at=timezone.now()),
        "failed": make_email(
            "b",
            "failed.person@b.test",
            OutboundEmail.Status.FAILED,
            purpose="enrolment",
            attempts=7,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        ),
        "pending": make_email("c", "pending.person@a.test", OutboundEmail.Status.PENDING),
    }


def test_staff_see_recipient_purpose_status_attempts_and_error(client, cast, emails):
    client.force_login(cast.staff)
    page = client.get("/emails/").text
    assert "1 waiting to be sent, 1 failed." in page
    for address in ("sent.person@a.test", "failed.person@b.test", "pending.person@a.test"):
        assert address in page
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in page
    assert "Cohort place" in page and ">Failed</strong>" in page
    assert len(re.findall(r">\s*Resend<", page)) == 1


def test_the_log_filters_by_status_purpose_and_recipient(client, cast, emails):
    client.force_login(cast.staff)
    failed = client.get("/emails/?status=failed").text
    assert "failed.person@b.test" in failed and "sent.person@a.test" not in failed
    invitations = client.get("/emails/?purpose=invitation").text
    assert "failed.person@b.test" not in invitations and "sent.person@a.test" in invitations
    searched = client.get("/emails/?q=PENDING.PERSON").text
    assert "pending.person@a.test" in searched and "sent.person@a.test" not in searched
    assert "No emails match" in client.get("/emails/?q=nobody-at-all").text


def test_staff_resend_a_failed_email_and_it_is_sent(
    client, cast, emails, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/emails/{emails['failed'].pk}/resend/", {"next": "/emails/?status=failed"}
        )
    assert response.status_code == 302 and response.url == "/emails/?status=failed"
    assert [m.to for m in mail.outbox] == [["failed.person@b.test"]]
    emails["failed"].refresh_from_db()
    assert emails["failed"].status == OutboundEmail.Status.SENT
    assert "will be sent again" in client.get(response.url).text


def test_an_email_that_has_not_failed_is_not_resent(client, cast, emails):
    client.force_login(cast.staff)
    response = client.post(f"/emails/{emails['sent'].pk}/resend/", follow=True)
    assert "has not failed, so it was not resent" in response.text
    assert mail.outbox == []


def test_resend_ignores_a_next_address_on_another_site(client, cast, emails):
    client.force_login(cast.staff)
    response = client.post(
        f"/emails/{emails['failed'].pk}/resend/", {"next": "https://evil.example/"}
    )
    assert response.url == "/emails/"


@pytest.mark.parametrize("who", ["viewer", "sro_a", "learner_a_user", "nobody"])
def test_only_programme_staff_reach_the_log(client, cast, emails, who):
    client.force_login(getattr(cast, who))
    assert client.get("/emails/").status_code == 403
    assert client.post(f"/emails/{emails['failed'].pk}/resend/").status_code == 403
    emails["failed"].refresh_from_db()
    assert emails["failed"].status == OutboundEmail.Status.FAILED


def test_staff_home_counts_emails_waiting_and_failed(client, cast, emails):
    client.force_login(cast.staff)
    page = client.get("/").text
    assert "1 waiting to be sent, 1 failed" in page
    client.force_login(cast.viewer)
    assert "waiting to be sent" not in client.get("/").text


def test_the_log_keeps_to_its_query_budget(client, cast, django_assert_max_num_queries):
    client.force_login(cast.staff)
    for n in range(60):
        make_email(f"bulk:{n}", f"person{n}@a.test", OutboundEmail.Status.FAILED)
    with django_assert_max_num_queries(10):
        assert client.get("/emails/").status_code == 200
