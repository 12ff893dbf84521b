"""`manage.py create_staff`: the first staff user of an installation is given a role and emailed
an invitation to set their own password; never a password on the command line."""

import io
import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from cmpp.accounts.models import Invitation, StaffMembership, User
from tests import factories

pytestmark = pytest.mark.django_db

EMAIL = "Priya.Shah@communities.example.gov.uk"


@pytest.fixture
def create_staff(django_capture_on_commit_callbacks):
    """Run the command as an operator would, sending its emails; what it printed."""

    def run(*args):
        out = io.StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("create_staff", *args, stdout=out)
        return out.getvalue()

    return run


def test_it_makes_programme_staff_and_emails_an_invitation(create_staff, client):
    printed = create_staff(EMAIL, "--organisation", "dluhc", "--first-name", "Priya")

    user = User.objects.get(email="priya.shah@communities.example.gov.uk")
    assert not user.has_usable_password()
    membership = user.staff_memberships.get()
    assert membership.organisation.slug == "dluhc"
    assert membership.role == StaffMembership.Role.PROGRAMME_STAFF
    assert (
        "Invitation sent to priya.shah@communities.example.gov.uk; the link works for 7 days"
        in printed
    )

    [email] = mail.outbox
    assert email.to == ["priya.shah@communities.example.gov.uk"]
    assert email.subject == "Your invitation to the Contract Management Pioneer Programme portal"
    assert "Dear Priya," in email.body
    assert (
        "programme staff account for Ministry of Housing, Communities and Local Government"
        in email.body
    )
    assert "You can run the programme" in email.body
    link = re.search(r"http://\S+(/accounts/invitation/\S+/)", email.body).group(1)
    # The link is a working invitation: it opens the page that asks for a new password.
    assert client.get(link, follow=True).status_code == 200
    assert Invitation.objects.get(user=user).is_open


def test_a_viewer_may_belong_to_an_observer(create_staff):
    create_staff(
        "analyst@ccs.example.gov.uk", "--organisation", "ccs", "--role", "programme_viewer"
    )

    membership = StaffMembership.objects.get(user__email="analyst@ccs.example.gov.uk")
    assert (membership.organisation.slug, membership.role) == ("ccs", "programme_viewer")
    assert "read every council's progress" in mail.outbox[0].body


def test_running_it_again_adds_no_second_membership_and_sends_a_fresh_invitation(create_staff):
    create_staff(EMAIL, "--organisation", "local-partnerships")
    first = Invitation.objects.get()

    printed = create_staff(EMAIL, "--organisation", "local-partnerships")

    assert StaffMembership.objects.count() == 1
    assert "is already Programme staff for Local Partnerships; nothing added" in printed
    assert "Invitation sent to" in printed
    assert len(mail.outbox) == 2
    first.refresh_from_db()
    assert not first.is_open  # the earlier link no longer works
    assert Invitation.objects.filter(revoked_at__isnull=True).count() == 1


def test_it_does_not_change_an_existing_role(create_staff):
    create_staff(EMAIL, "--organisation", "dluhc", "--role", "programme_viewer")

    printed = create_staff(EMAIL, "--organisation", "dluhc")

    assert StaffMembership.objects.get().role == "programme_viewer"
    assert "Their role is unchanged" in printed


def test_someone_who_can_already_sign_in_gets_the_role_but_no_invitation(create_staff):
    factories.UserFactory(email="priya.shah@communities.example.gov.uk", password="already set")

    printed = create_staff(EMAIL, "--organisation", "dluhc")

    assert StaffMembership.objects.filter(
        user__email="priya.shah@communities.example.gov.uk"
    ).exists()
    assert "can already sign in; no invitation sent" in printed
    assert mail.outbox == []
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--organisation", "dlukc"],
            "There is no organisation called 'dlukc'. Use one of: dluhc, local-partnerships",
        ),
        (["--organisation", "gcc"], "Government Commercial College (gcc) does not run councils"),
        (["--organisation", "lga"], "cannot have programme staff"),
    ],
)
def test_it_refuses_an_organisation_that_cannot_have_the_role(create_staff, args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        create_staff(EMAIL, *args)

    assert not User.objects.exists()
    assert mail.outbox == []


def test_it_refuses_something_that_is_not_an_email_address(create_staff):
    with pytest.raises(CommandError, match="not an email address"):
        create_staff("priya.shah", "--organisation", "dluhc")

    assert not User.objects.exists()


def test_there_is_no_way_to_give_a_password():
    with pytest.raises(CommandError, match="unrecognized arguments: --password"):
        call_command("create_staff", EMAIL, "--organisation", "dluhc", "--password", "secret")
