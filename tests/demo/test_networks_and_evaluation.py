"""The demo gives every network and evaluation page something true to show: councils in each
network and some still to answer, meetings held and to come, shared links and files, support at
every stage, and maturity assessments that staff accepted, returned or have still to review."""

import shutil
import tempfile
from io import StringIO

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db.models import Min
from django.test import TestCase, override_settings

from cmpp.demo.data import DEMO_TODAY, LONDON
from councils.models import Council, MaturityAssessment, SupportEngagement
from councils.selectors import improvement_summary
from networks.models import (
    MeetingAttendance,
    Network,
    NetworkCouncil,
    NetworkMeeting,
    NetworkMembership,
    NetworkResource,
)


def seed():
    call_command("seed_demo", stdout=StringIO())


class DemoNetworksAndEvaluation(TestCase):
    """Seeded once for the class, its files kept in a media folder of its own."""

    @classmethod
    def setUpClass(cls):
        media_root = tempfile.mkdtemp(prefix="cmpp-demo-media-")
        cls.addClassCleanup(shutil.rmtree, media_root, ignore_errors=True)
        cls.enterClassContext(override_settings(MEDIA_ROOT=media_root))
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        seed()

    def test_both_networks_have_joined_councils_whose_members_joined_no_earlier(self):
        for network in Network.objects.all():
            joined = NetworkCouncil.objects.filter(
                network=network, status=NetworkCouncil.Status.JOINED
            )
            assert joined.count() >= 10, network.slug
            assert network.memberships.count() >= 20, network.slug
            joined_on = dict(joined.values_list("council", "joined_on"))
            for council_id, first in network.memberships.values_list("council").annotate(
                first=Min("joined_on")
            ):
                assert joined_on.get(council_id) == first, (network.slug, council_id)

    def test_some_councils_have_not_answered_and_some_declined(self):
        invited = NetworkCouncil.objects.filter(status=NetworkCouncil.Status.INVITED)
        declined = NetworkCouncil.objects.filter(status=NetworkCouncil.Status.DECLINED)
        assert invited.exists()
        assert declined.exists()
        assert not invited.filter(joined_on__isnull=False).exists()
        for row in declined:
            assert row.declined_on is not None and row.declined_on >= row.invited_on
            assert not NetworkMembership.objects.filter(
                network=row.network, council=row.council
            ).exists()

    def test_past_meetings_have_a_register_mostly_present_and_upcoming_ones_an_agenda(self):
        for network in Network.objects.all():
            past = network.meetings.filter(starts_at__date__lt=DEMO_TODAY, is_cancelled=False)
            upcoming = network.meetings.filter(starts_at__date__gt=DEMO_TODAY)
            assert past.count() >= 10
            assert upcoming.exists(), network.slug
            for meeting in past:
                assert meeting.attendance.exists(), meeting
            for meeting in upcoming:
                assert meeting.agenda and meeting.ends_at > meeting.starts_at
                assert meeting.online_url or meeting.location != "Online"
        marks = MeetingAttendance.objects.all()
        present = marks.filter(status=MeetingAttendance.Status.ATTENDED).count()
        assert present > marks.count() / 2
        assert set(marks.values_list("status", flat=True)) == set(MeetingAttendance.Status.values)

    def test_one_meeting_was_cancelled_and_has_no_register(self):
        cancelled = NetworkMeeting.objects.filter(is_cancelled=True)
        assert cancelled.count() >= 1
        assert not MeetingAttendance.objects.filter(meeting__in=cancelled).exists()

    def test_resources_include_stored_files_and_links(self):
        files = NetworkResource.objects.exclude(file="")
        links = NetworkResource.objects.exclude(url="")
        assert links.exists()
        assert files.exists()
        for resource in files:
            assert default_storage.exists(resource.file.name), resource.file.name
            assert default_storage.size(resource.file.name) == resource.size
            assert resource.file_name and resource.content_type and resource.shared_by
        pdf = files.get(file_name="sro-network-terms-of-reference.pdf")
        with default_storage.open(pdf.file.name) as stored:
            assert stored.read(5) == b"%PDF-"
        assert all(resource.tag_list for resource in NetworkResource.objects.all())

    def test_support_engagements_are_at_several_stages_with_notes(self):
        engagements = SupportEngagement.objects.all()
        statuses = set(engagements.values_list("status", flat=True))
        assert {
            SupportEngagement.Status.PLANNED.value,
            SupportEngagement.Status.ACTIVE.value,
            SupportEngagement.Status.COMPLETED.value,
        } <= statuses
        assert not engagements.filter(notes="").exists()
        completed = engagements.filter(status=SupportEngagement.Status.COMPLETED)
        assert not completed.filter(outcomes="").exists()
        specialists = set(engagements.values_list("specialist__email", flat=True))
        assert "staff@localpartnerships.example.org.uk" in specialists

    def test_some_councils_improved_and_some_did_not(self):
        summary = improvement_summary(Council.objects.all())
        assert summary["measured"] >= 10
        assert 0 < summary["percent"] < 100

    def test_accepted_assessments_were_reviewed_by_staff_after_the_sro_submitted_them(self):
        accepted = MaturityAssessment.objects.filter(status=MaturityAssessment.Status.ACCEPTED)
        assert accepted.count() >= 40
        for assessment in accepted.select_related("reviewed_by", "submitted_by"):
            assert assessment.reviewed_by.staff_memberships.exists(), assessment
            assert assessment.submitted_by.council_roles.filter(
                council=assessment.council_id
            ).exists()
            assert assessment.submitted_at < assessment.reviewed_at
            assert assessment.reviewed_at.astimezone(LONDON).date() < DEMO_TODAY

    def test_the_demo_sros_have_an_assessment_to_act_on_or_awaiting_review(self):
        returned = MaturityAssessment.objects.get(status=MaturityAssessment.Status.RETURNED)
        submitted = MaturityAssessment.objects.get(status=MaturityAssessment.Status.SUBMITTED)
        assert returned.council.roles.filter(user__email="sro@reading.example.gov.uk").exists()
        assert returned.review_note
        assert returned.council.maturity_assessments.filter(
            kind=MaturityAssessment.Kind.BASELINE, status=MaturityAssessment.Status.ACCEPTED
        ).exists()
        assert submitted.council.roles.filter(
            user__email="sro@warwickshire.example.gov.uk"
        ).exists()
        assert submitted.reviewed_at is None
        assert MaturityAssessment.objects.filter(status=MaturityAssessment.Status.DRAFT).exists()

    def test_seeding_again_adds_no_rows_and_no_files(self):
        models = [
            NetworkCouncil,
            NetworkMembership,
            NetworkMeeting,
            MeetingAttendance,
            NetworkResource,
            SupportEngagement,
            MaturityAssessment,
        ]
        before = {model: model.objects.count() for model in models}
        stored = sorted(default_storage.listdir("networks/resources")[0])

        seed()

        assert {model: model.objects.count() for model in models} == before
        assert sorted(default_storage.listdir("networks/resources")[0]) == stored
        for resource in NetworkResource.objects.exclude(file=""):
            folder, name = resource.file.name.rsplit("/", 1)
            assert default_storage.listdir(folder)[1] == [name]
