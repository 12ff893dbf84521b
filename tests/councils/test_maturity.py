"""Maturity self-assessments: the SRO starts, drafts and submits them; staff accept or return
them with a note; only accepted ones count towards the council's improvement; each step
emails the people who act next once."""

import re
from datetime import date, timedelta

import factory
import pytest

from cmpp.accounts.models import StaffMembership
from cmpp.notifications.models import OutboundEmail
from councils.models import Council, MaturityArea, MaturityAssessment, MaturityScore
from councils.selectors import improvement_summary
from tests import factories

pytestmark = pytest.mark.django_db

ACCEPTED = MaturityAssessment.Status.ACCEPTED


class MaturityAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaturityAssessment

    council = factory.SubFactory(factories.CouncilFactory)
    kind = MaturityAssessment.Kind.FOLLOW_UP
    assessed_on = date(2025, 3, 1)
    status = ACCEPTED


def scored(scores: list[int], **kwargs) -> MaturityAssessment:
    """An assessment with these scores, one per area in order."""
    assessment = MaturityAssessmentFactory(**kwargs)
    for area, score in zip(MaturityArea.objects.order_by("order"), scores, strict=False):
        MaturityScore.objects.create(assessment=assessment, area=area, score=score)
    return assessment


def areas() -> list[MaturityArea]:
    return list(MaturityArea.objects.order_by("order"))


def answers(scores: dict[int, int] | None = None, comments: dict[int, str] | None = None, **extra):
    """A POST body: scores and comments by area index (0 is the first area)."""
    body = {}
    for index, area in enumerate(areas()):
        if scores and index in scores:
            body[f"score_{area.pk}"] = str(scores[index])
        body[f"comment_{area.pk}"] = (comments or {}).get(index, "")
    body.update(extra)
    return body


def every_area(score=3):
    return dict.fromkeys(range(len(areas())), score)


@pytest.fixture
def lp_staff(cast):
    """Council A is managed by Local Partnerships, whose two programme staff hear of it."""
    lp = factories.organisation("local-partnerships")
    from councils.services import council_hand_over

    council_hand_over(
        council=cast.council_a, to_organisation=lp, on=date(2024, 4, 1), acting_user=cast.staff
    )
    people = [
        factories.StaffMembershipFactory(
            user__email=email, organisation=lp, role=StaffMembership.Role.PROGRAMME_STAFF
        ).user
        for email in ("one@lp.test", "two@lp.test")
    ]
    factories.StaffMembershipFactory(
        user__email="viewer@lp.test", organisation=lp, role=StaffMembership.Role.PROGRAMME_VIEWER
    )
    return people


def start(client, council) -> MaturityAssessment:
    response = client.post(f"/councils/{council.pk}/maturity/new/")
    assert response.status_code == 302
    return MaturityAssessment.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def url(assessment, suffix=""):
    return f"/councils/{assessment.council_id}/maturity/{assessment.pk}/{suffix}"


def test_the_sro_starts_the_baseline_then_a_follow_up(client, cast):
    client.force_login(cast.sro_a)
    council_page = client.get(f"/councils/{cast.council_a.pk}/").text
    assert "Start the baseline assessment" in council_page
    baseline = start(client, cast.council_a)
    assert (baseline.kind, baseline.status) == ("baseline", "draft")
    # Starting again while one is in progress leads back to it.
    assert start(client, cast.council_a) == baseline
    assert "Continue the baseline assessment" in client.get(f"/councils/{cast.council_a.pk}/").text
    MaturityAssessment.objects.filter(pk=baseline.pk).update(status=ACCEPTED)
    follow_up = start(client, cast.council_a)
    assert follow_up.kind == "follow_up"
    assert MaturityAssessment.objects.count() == 2


def test_the_form_shows_every_area_in_order_with_its_description(client, cast):
    client.force_login(cast.sro_a)
    page = client.get(url(start(client, cast.council_a))).text
    positions = [page.index(area.name) for area in areas()]
    assert positions == sorted(positions)
    assert areas()[0].description in page
    assert "1: Not yet started" in page
    assert "5: Leading" in page
    assert "Save as draft" in page
    assert "Submit for review" in page


def test_a_draft_saves_with_scores_missing(client, cast):
    client.force_login(cast.sro_a)
    assessment = start(client, cast.council_a)
    body = answers({0: 2, 2: 4}, {2: "Plans for the big contracts only"}, draft="1")
    assert client.post(url(assessment), body).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    saved = {score.area.order: (score.score, score.comment) for score in assessment.scores.all()}
    assert saved == {1: (2, ""), 3: (4, "Plans for the big contracts only")}
    page = client.get(url(assessment)).text
    assert "Plans for the big contracts only" in page
    assert f'name="score_{areas()[2].pk}" type="radio" value="4" checked' in page
    # A draft can clear a score it had.
    client.post(url(assessment), answers({2: 4}, draft="1"))
    assert assessment.scores.count() == 1


def test_a_comment_needs_a_score_so_it_is_not_lost(client, cast):
    client.force_login(cast.sro_a)
    assessment = start(client, cast.council_a)
    response = client.post(url(assessment), answers(comments={1: "Half way"}, draft="1"))
    assert response.status_code == 200
    assert f"Select a score for {areas()[1].name} to keep your comment" in response.text
    assert not assessment.scores.exists()


def test_submitting_needs_every_area_and_links_to_the_first_missing(client, cast, lp_staff):
    client.force_login(cast.sro_a)
    assessment = start(client, cast.council_a)
    scores = every_area()
    del scores[1], scores[4]
    response = client.post(url(assessment), answers(scores, submit="1"))
    assert response.status_code == 200
    page = response.text
    assert "There is a problem" in page
    first_missing = areas()[1]
    assert (
        f'<a href="#id_score_{first_missing.pk}_0">Select a score for {first_missing.name}</a>'
        in page
    )
    assert page.index(f"#id_score_{first_missing.pk}_0") < page.index(
        f"#id_score_{areas()[4].pk}_0"
    )
    assert f'id="id_score_{first_missing.pk}_0"' in page
    assessment.refresh_from_db()
    assert assessment.status == "draft"
    assert not assessment.scores.exists()
    assert not OutboundEmail.objects.filter(purpose="maturity_submitted").exists()


def test_submitting_makes_it_read_only_and_emails_the_managing_bodys_staff_once(
    client, cast, lp_staff
):
    client.force_login(cast.sro_a)
    assessment = start(client, cast.council_a)
    assert client.post(url(assessment), answers(every_area(), submit="1")).status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.submitted_by) == ("submitted", cast.sro_a)
    emails = OutboundEmail.objects.filter(purpose="maturity_submitted")
    # Local Partnerships' programme staff, not its viewer nor DLUHC's staff.
    assert sorted(emails.values_list("to_email", flat=True)) == ["one@lp.test", "two@lp.test"]
    assert "Council A" in emails.first().subject
    assert url(assessment) in emails.first().body_text
    page = client.get(url(assessment)).text
    assert "Submit for review" not in page
    assert "waiting for the programme team" in page
    # Posting again changes nothing and sends nothing.
    assert client.post(url(assessment), answers(every_area(5), submit="1")).status_code == 403
    assert set(assessment.scores.values_list("score", flat=True)) == {3}
    assert emails.count() == 2


def test_staff_accept_and_the_sros_hear_once(client, cast, lp_staff):
    deputy = factories.CouncilRoleFactory(
        council=cast.council_a, user__email="deputy@a.test", role="deputy_sro"
    ).user
    assessment = scored(every_area().values(), council=cast.council_a, status="submitted")
    client.force_login(cast.staff)
    page = client.get(url(assessment)).text
    assert "Review the assessment" in page
    response = client.post(url(assessment, "review/"), {"decision": "accept", "note": ""})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.status, assessment.reviewed_by) == ("accepted", cast.staff)
    emails = OutboundEmail.objects.filter(purpose="maturity_reviewed")
    assert sorted(emails.values_list("to_email", flat=True)) == sorted(
        [cast.sro_a.email, deputy.email]
    )
    assert "accepted" in emails.first().subject
    # A second decision is refused and sends nothing more.
    client.post(url(assessment, "review/"), {"decision": "return", "note": "Oops"})
    assessment.refresh_from_db()
    assert assessment.status == "accepted"
    assert emails.count() == 2
    client.force_login(cast.sro_a)
    page = client.get(url(assessment)).text
    assert "Submit for review" not in page
    assert client.post(url(assessment), answers(every_area(), draft="1")).status_code == 403


def test_returning_needs_a_note_and_the_sro_can_resubmit(client, cast, lp_staff):
    assessment = scored(every_area(2).values(), council=cast.council_a, status="submitted")
    client.force_login(cast.staff)
    response = client.post(url(assessment, "review/"), {"decision": "return", "note": "  "})
    assert response.status_code == 200
    assert '<a href="#id_note">Enter why you are returning the assessment</a>' in response.text
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    note = "Please add evidence for the people and skills score"
    client.post(url(assessment, "review/"), {"decision": "return", "note": note})
    assessment.refresh_from_db()
    assert (assessment.status, assessment.review_note) == ("returned", note)
    returned = OutboundEmail.objects.get(purpose="maturity_reviewed")
    assert returned.to_email == cast.sro_a.email
    assert note in returned.body_text

    client.force_login(cast.sro_a)
    page = client.get(url(assessment)).text
    assert "govuk-notification-banner" in page
    assert note in page
    assert "Submit for review" in page
    assert client.post(url(assessment), answers(every_area(4), submit="1")).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "submitted"
    assert set(assessment.scores.values_list("score", flat=True)) == {4}
    # The resubmission is a new event: the staff hear of it again, once each.
    assert OutboundEmail.objects.filter(purpose="maturity_submitted").count() == 2


def test_viewers_read_but_do_not_review(client, cast):
    assessment = scored(every_area().values(), council=cast.council_a, status="submitted")
    client.force_login(cast.viewer)
    page = client.get(url(assessment)).text
    assert "3: Established" in page
    assert "Review the assessment" not in page
    response = client.post(url(assessment, "review/"), {"decision": "accept"})
    assert response.status_code == 403
    assert client.post(url(assessment), answers(every_area(), submit="1")).status_code == 403
    assert client.post(f"/councils/{cast.council_a.pk}/maturity/new/").status_code == 403
    assessment.refresh_from_db()
    assert assessment.status == "submitted"


def test_an_sro_sees_only_their_own_councils_assessments(client, cast):
    own = scored([3], council=cast.council_a, status="draft")
    other = scored([3], council=cast.council_b, status="draft")
    client.force_login(cast.sro_b)
    assert client.get(url(own)).status_code == 404
    assert client.post(url(own), answers(every_area(), submit="1")).status_code == 404
    assert client.post(url(own, "review/"), {"decision": "accept"}).status_code == 404
    assert client.post(f"/councils/{cast.council_a.pk}/maturity/new/").status_code == 404
    assert client.get("/councils/maturity/").status_code == 403
    assert client.get(url(other)).status_code == 200
    # An assessment asked for under another council is not found.
    assert client.get(f"/councils/{cast.council_b.pk}/maturity/{own.pk}/").status_code == 404
    client.force_login(cast.learner_a_user)
    assert client.get(url(own)).status_code == 404


def tag(page, text):
    """Where a status tag with this text is on the page (govuk-frontend's tag macro puts the text
    on a line of its own), or None."""
    return re.search(rf'<strong class="govuk-tag[^"]*">\s*{text}\s*</strong>', page)


def test_staff_list_submitted_assessments_first_and_filter_by_status(client, cast):
    scored([3], council=cast.council_a, status="draft", assessed_on=date(2025, 6, 1))
    scored([3], council=cast.council_b, status="submitted", assessed_on=date(2025, 1, 1))
    client.force_login(cast.staff)
    page = client.get("/councils/maturity/").text
    assert tag(page, "Submitted").start() < tag(page, "Draft").start()
    page = client.get("/councils/maturity/?status=submitted").text
    assert "Council B" in page
    assert "Council A" not in page.split("<tbody")[1]
    council_page = client.get(f"/councils/{cast.council_b.pk}/").text
    assert tag(council_page, "Submitted")


def test_the_council_page_shows_improvement_from_accepted_assessments_only(client, cast):
    client.force_login(cast.viewer)
    page = client.get(f"/councils/{cast.council_a.pk}/").text
    assert "No baseline yet" in page
    scored([2, 2, 2, 2, 2, 2, 2], council=cast.council_a, kind="baseline")
    page = client.get(f"/councils/{cast.council_a.pk}/").text
    assert "No follow-up yet" in page
    scored([4, 3, 2, 2, 2, 2, 1], council=cast.council_a, status="returned")
    assert "No follow-up yet" in client.get(f"/councils/{cast.council_a.pk}/").text
    scored([4, 3, 2, 2, 2, 2, 1], council=cast.council_a, assessed_on=date(2026, 1, 1))
    page = client.get(f"/councils/{cast.council_a.pk}/").text
    # Mean change over seven areas: (2 + 1 + 0 + 0 + 0 + 0 - 1) / 7.
    assert "+0.29" in page
    assert '<svg class="cmpp-chart"' in page
    first = areas()[0].name
    row = page[page.index(f'<th scope="row" class="govuk-table__header">{first}</th>') :]
    assert row.split("</tr>")[0].endswith(
        '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">4</td>'
        '<td class="govuk-table__cell govuk-table__cell--numeric">+2</td>'
    )


def test_a_returned_assessment_does_not_count_and_a_baseline_alone_is_not_measured(cast):
    councils = Council.objects.filter(pk__in=[cast.council_a.pk, cast.council_b.pk])
    scored([2, 2], council=cast.council_a, kind="baseline")
    scored([4, 4], council=cast.council_a, status="returned")
    scored([2, 2], council=cast.council_b, kind="baseline")
    assert improvement_summary(councils)["measured"] == 0
    scored([3, 3], council=cast.council_b, status="submitted")
    assert improvement_summary(councils)["measured"] == 0
    scored([3, 3], council=cast.council_b)
    assert improvement_summary(councils) == {"measured": 1, "improved": 1, "percent": 100}


@pytest.mark.parametrize("size", [5, 100])
def test_the_maturity_pages_read_in_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries, size
):
    scored(every_area().values(), council=cast.council_a, kind="baseline")
    for index in range(size):
        scored(
            every_area(4).values(),
            council=cast.council_a if index % 2 else cast.council_b,
            assessed_on=date(2025, 1, 1) + timedelta(days=index),
            submitted_by=cast.sro_a,
        )
    latest = MaturityAssessment.objects.filter(council=cast.council_a).last()
    client.force_login(cast.staff)
    with django_assert_max_num_queries(13):
        assert client.get("/councils/maturity/").status_code == 200
    with django_assert_max_num_queries(19):
        assert client.get(f"/councils/{cast.council_a.pk}/").status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(url(latest)).status_code == 200
    draft = scored([1, 2], council=cast.council_a, status="draft")
    client.force_login(cast.sro_a)
    with django_assert_max_num_queries(11):
        assert client.get(url(draft)).status_code == 200
