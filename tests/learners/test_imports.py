"""The learner CSV import: every wrong row imports nothing and names its line; a good file adds,
updates and enrols; the same file again adds nobody; the command follows the same rules."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError

from cmpp.accounts.models import User
from cmpp.core.csv import FILE_NOT_UTF8, MAX_UPLOAD_BYTES
from cmpp.notifications.models import OutboundEmail
from learners import services
from learners.imports import LearnerImportRefused, RowProblem, learners_import_preview
from learners.models import Enrolment, Learner
from learners.services import imports as import_services
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "council_code,first_name,last_name,email,job_title,target_level,cohort_code"


def csv_file(*rows, header=HEADER, bom=False) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def good_rows(cast):
    """Lines 2 to 4: a new learner joining the cast's cohort, a new learner with no cohort, and
    cast.learner_a (already in that cohort) with a new name and job title."""
    return [
        f"E06000001,Amira,Khan,amira.khan@a.test,Contract manager,practitioner,{cast.cohort.code}",
        "E06000002,Ben,Okafor,ben.okafor@b.test,,foundation,",
        f"e06000001,Lee,Ward,LEARNER@A.TEST,Head of contracts,Practitioner,{cast.cohort.code}",
    ]


def import_file(data, acting_user=None):
    return services.learners_import(preview=learners_import_preview(data), acting_user=acting_user)


def assert_nothing_imported(data, cast):
    learners_before = set(Learner.objects.values_list("pk", "first_name", "job_title"))
    with pytest.raises(LearnerImportRefused):
        import_file(data, cast.staff)
    assert set(Learner.objects.values_list("pk", "first_name", "job_title")) == learners_before
    assert not OutboundEmail.objects.exists()


WRONG_ROWS = [
    (
        "E99999999,Cara,Jones,cara@c.test,,practitioner,",
        "Council code ‘E99999999’ is not a council on the programme",
    ),
    (
        "E06000001,Cara,Jones,cara@c.test,,practitioner,NOPE-01",
        "Cohort code ‘NOPE-01’ is not a cohort. "
        "Leave cohort_code empty if the learner has no cohort yet",
    ),
    (
        "E06000001,Cara,Jones,cara@c.test,,foundation,{cohort}",
        "Cohort {cohort} is a Practitioner cohort but the target level is foundation. "
        "Choose a Foundation cohort or change the target level",
    ),
    (
        "E06000001,Cara,Jones,cara@,,practitioner,",
        "‘cara@’ is not a valid email address. Write it like name@council.gov.uk",
    ),
    (
        "E06000001,Cara,Jones,cara@c.test,,master,",
        "Target level ‘master’ is not a level. Enter foundation, practitioner or expert",
    ),
    (
        ",Cara,Jones,cara@c.test,,practitioner,",
        "council_code is empty. Enter the council’s code, for example E06000038",
    ),
    (
        "E06000001,,Jones,cara@c.test,,practitioner,",
        "first_name is empty. Enter the learner’s first name",
    ),
    (
        "E06000001,Cara,,cara@c.test,,practitioner,",
        "last_name is empty. Enter the learner’s last name",
    ),
    (
        "E06000001,Cara,Jones,,,practitioner,",
        "email is empty. Enter the learner’s email address",
    ),
    (
        "E06000001,Cara,Jones,cara@c.test,,,",
        "target_level is empty. Enter foundation, practitioner or expert",
    ),
    (
        "E06000001,Cara,Jones,cara@c.test,Head of Procurement, Contracts,practitioner,",
        "This row has 8 cells but the header row has 7. "
        "Put any value that has a comma in it inside double quotes",
    ),
    (
        f"E06000001,{'C' * 101},Jones,cara@c.test,,practitioner,",
        "first_name is longer than 100 characters",
    ),
    (
        "E06000001,Ca\x00ra,Jones,cara@c.test,,practitioner,",
        "first_name has a hidden control character in it (U+0000). "
        "Delete it and save the file again",
    ),
    (
        "E06000001,Cara,Jones,cara@c.test,Head of\x1bcontracts,practitioner,",
        "job_title has a hidden control character in it (U+001B). "
        "Delete it and save the file again",
    ),
]


@pytest.mark.parametrize(("row", "reason"), WRONG_ROWS)
def test_each_kind_of_wrong_row_alone_imports_nothing_and_names_its_line(cast, row, reason):
    rows = good_rows(cast)
    data = csv_file(*rows[:2], row.format(cohort=cast.cohort.code), rows[2])
    preview = learners_import_preview(data)
    assert preview.problems == [RowProblem(4, reason.format(cohort=cast.cohort.code))]
    assert_nothing_imported(data, cast)


def test_an_email_twice_in_the_file_is_wrong_on_its_second_line(cast):
    rows = good_rows(cast)
    data = csv_file(*rows, "E06000002,Amira,Khan,Amira.Khan@A.test,,practitioner,")
    assert learners_import_preview(data).problems == [
        RowProblem(5, "amira.khan@a.test is also on line 2. Give each learner one row")
    ]
    assert_nothing_imported(data, cast)


def test_a_learner_with_a_place_in_another_cohort_at_the_level_cannot_join_a_second(cast):
    other = factories.CohortFactory(code="PRAC-099")
    data = csv_file(f"E06000001,Lee,Ward,learner@a.test,,practitioner,{other.code}")
    [problem] = learners_import_preview(data).problems
    assert problem.line == 2
    assert f"already has a place in cohort {cast.cohort.code} at this level" in problem.reason
    assert_nothing_imported(data, cast)


def test_a_row_with_several_problems_names_each_of_them(cast):
    data = csv_file(good_rows(cast)[0], "E99999999,Cara,Jones,cara@,,master,")
    assert learners_import_preview(data).problems == [
        RowProblem(3, "Council code ‘E99999999’ is not a council on the programme"),
        RowProblem(3, "‘cara@’ is not a valid email address. Write it like name@council.gov.uk"),
        RowProblem(
            3, "Target level ‘master’ is not a level. Enter foundation, practitioner or expert"
        ),
    ]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (
            "council_code,first_name,last_name,email,job_title,target_level",
            "The header row (line 1) is missing the column cohort_code. Line 1 must be: " + HEADER,
        ),
        (
            "council_code,first_name,last_name,e-mail,job_title,target_level,cohort_code",
            "The header row (line 1) is missing the column email (it has ‘e-mail’ instead). "
            "Line 1 must be: " + HEADER,
        ),
        (
            "Council_Code,First_Name,Last_Name,Email,Job_Title,Target_Level",
            "The header row (line 1) is missing the column cohort_code. Line 1 must be: " + HEADER,
        ),
        (
            HEADER + ",email",
            "The header row (line 1) has the column email more than once",
        ),
    ],
)
def test_a_header_missing_or_misspelling_a_column_is_refused(cast, header, reason):
    data = csv_file(*good_rows(cast), header=header)
    preview = learners_import_preview(data)
    assert (preview.file_error, preview.problems) == (reason, [])
    assert_nothing_imported(data, cast)


def test_a_latin1_file_is_refused_with_the_encoding_message(cast):
    data = (HEADER + "\r\nE06000001,Zoë,Brontë,zoe@a.test,,practitioner,\r\n").encode("latin-1")
    assert learners_import_preview(data).file_error == FILE_NOT_UTF8
    assert_nothing_imported(data, cast)


def test_a_file_of_more_than_20000_learners_is_refused_and_saves_nothing(cast, tmp_path):
    row = "E06000001,Amira,Khan,amira.khan@a.test,,practitioner,"
    data = csv_file(*[row] * 20213)
    reason = "The file has 20,213 rows. Import up to 20,000 learners at a time: split the file"
    preview = learners_import_preview(data)
    assert (preview.file_error, preview.problems, preview.to_add) == (reason, [], [])
    assert_nothing_imported(data, cast)
    with pytest.raises(CommandError, match=reason):
        call_command("import_learners", write(tmp_path, data))
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_a_file_of_exactly_20000_learners_is_read(cast):
    rows = [f"E06000001,Amira,Khan,amira{n}@a.test,,practitioner," for n in range(20000)]
    preview = learners_import_preview(csv_file(*rows))
    assert preview.file_error == "" and len(preview.to_add) == 20000


def test_a_file_over_5_mb_is_refused(cast):
    row = "E06000001,Amira,Khan,amira.khan@a.test,,practitioner,\r\n"
    data = csv_file(*good_rows(cast)) + row.encode() * (MAX_UPLOAD_BYTES // len(row) + 1)
    assert learners_import_preview(data).file_error == "The selected file must be smaller than 5 MB"
    assert_nothing_imported(data, cast)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "The selected file is empty"),
        (
            (HEADER + "\r\n,,,,,,\r\n").encode(),
            "The file has no learners in it. Add one row for each learner under the header row",
        ),
    ],
)
def test_an_empty_file_is_refused(cast, data, reason):
    assert learners_import_preview(data).file_error == reason
    assert_nothing_imported(data, cast)


@pytest.mark.parametrize("bom", [True, False], ids=["excel-bom", "no-bom"])
def test_a_good_file_adds_updates_and_enrols_with_or_without_bom(cast, bom):
    preview = learners_import_preview(csv_file(*good_rows(cast), bom=bom))
    assert preview.problems == [] and preview.file_error == ""
    assert [row.email for row in preview.to_add] == ["amira.khan@a.test", "ben.okafor@b.test"]
    [update] = preview.to_update
    assert (update.line, update.learner) == (4, cast.learner_a)
    assert ("job title", "Contract manager", "Head of contracts") in update.changes

    counts = services.learners_import(preview=preview, acting_user=cast.staff)

    assert (counts.added, counts.updated, counts.enrolled) == (2, 1, 1)
    amira = Learner.objects.get(email="amira.khan@a.test")
    assert (amira.council, amira.first_name, amira.status) == (
        cast.council_a,
        "Amira",
        Learner.Status.ACTIVE,
    )
    assert amira.enrolments.get().cohort == cast.cohort
    ben = Learner.objects.get(email="ben.okafor@b.test")
    assert (ben.council, ben.target_level.slug, ben.enrolments.count()) == (
        cast.council_b,
        "foundation",
        0,
    )
    cast.learner_a.refresh_from_db()
    assert (cast.learner_a.full_name, cast.learner_a.job_title) == ("Lee Ward", "Head of contracts")
    assert cast.learner_a.enrolments.count() == 1
    assert amira.history.first().history_user == cast.staff


def test_the_same_file_twice_adds_nobody_and_updates_only_what_changed(cast):
    import_file(csv_file(*good_rows(cast)), cast.staff)
    learners = Learner.objects.count()
    enrolments = Enrolment.objects.count()
    rows = good_rows(cast)
    rows[1] = "E06000002,Benjamin,Okafor,BEN.OKAFOR@b.test,Commercial lead,foundation,"

    preview = learners_import_preview(csv_file(*rows))
    assert preview.to_add == [] and len(preview.unchanged) == 2
    [update] = preview.to_update
    assert update.changes == [
        ("first name", "Ben", "Benjamin"),
        ("job title", "", "Commercial lead"),
    ]
    counts = services.learners_import(preview=preview, acting_user=cast.staff)

    assert (counts.added, counts.updated, counts.enrolled) == (0, 1, 0)
    assert Learner.objects.count() == learners
    assert Enrolment.objects.count() == enrolments
    ben = Learner.objects.get(email="ben.okafor@b.test")
    assert (ben.first_name, ben.job_title) == ("Benjamin", "Commercial lead")


def test_an_empty_job_title_keeps_the_one_on_record(cast):
    import_file(csv_file("E06000001,Lee,Ward,learner@a.test,,practitioner,"))
    cast.learner_a.refresh_from_db()
    assert cast.learner_a.job_title == "Contract manager"


def test_new_learners_are_invited_by_email(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        import_file(csv_file(*good_rows(cast)), cast.staff)
    invited = OutboundEmail.objects.filter(purpose="invitation")
    assert sorted(invited.values_list("to_email", flat=True)) == [
        "amira.khan@a.test",
        "ben.okafor@b.test",
    ]
    # Two invitations, and Amira's cohort place.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "amira.khan@a.test",
        "amira.khan@a.test",
        "ben.okafor@b.test",
    ]
    [to_ben] = [m for m in mail.outbox if m.to == ["ben.okafor@b.test"]]
    assert "/accounts/invitation/" in to_ben.body
    assert OutboundEmail.objects.filter(purpose="enrolment").get().to_email == "amira.khan@a.test"


def test_the_file_is_checked_again_when_imported(cast):
    """A learner added between the check and the import is updated, never added twice."""
    preview = learners_import_preview(csv_file(*good_rows(cast)))
    factories.LearnerFactory(council=cast.council_b, email="amira.khan@a.test", job_title="")
    counts = services.learners_import(preview=preview, acting_user=cast.staff)
    assert (counts.added, counts.updated) == (1, 2)
    assert Learner.objects.filter(email__iexact="amira.khan@a.test").count() == 1
    assert Learner.objects.get(email="amira.khan@a.test").council == cast.council_a


def test_a_row_gone_wrong_since_the_check_refuses_the_whole_file(cast):
    preview = learners_import_preview(csv_file(*good_rows(cast)))
    other = factories.CohortFactory()
    factories.EnrolmentFactory(
        learner=factories.LearnerFactory(email="amira.khan@a.test"), cohort=other
    )
    with pytest.raises(LearnerImportRefused) as refused:
        services.learners_import(preview=preview, acting_user=cast.staff)
    assert [p.line for p in refused.value.problems] == [2]
    assert not Learner.objects.filter(email="ben.okafor@b.test").exists()


def test_a_failure_part_way_through_saves_nothing(cast, monkeypatch):
    """All or nothing: the second batch colliding in the database undoes the first batch's
    learners, accounts, invitations and emails."""
    monkeypatch.setattr(import_services, "BATCH_ROWS", 1)
    invite = import_services.learners_invite
    calls, progress = [], []

    def collide_second_time(**kwargs):
        calls.append([learner.email for learner in kwargs["learners"]])
        if len(calls) == 2:
            assert Learner.objects.filter(email="amira.khan@a.test").exists()
            raise IntegrityError("learner_email_unique_ci")
        return invite(**kwargs)

    monkeypatch.setattr(import_services, "learners_invite", collide_second_time)
    preview = learners_import_preview(csv_file(*good_rows(cast)))
    with pytest.raises(LearnerImportRefused, match="someone changed these learners"):
        services.learners_import(
            preview=preview,
            acting_user=cast.staff,
            progress=lambda done, total: progress.append((done, total)),
        )
    assert calls == [["amira.khan@a.test"], ["ben.okafor@b.test"]]
    assert progress == [(1, 3)]
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()
    assert not User.objects.filter(email="amira.khan@a.test").exists()
    assert not OutboundEmail.objects.exists()


def test_a_preview_with_wrong_rows_is_refused_by_the_service(cast):
    preview = learners_import_preview(csv_file("E99999999,Cara,Jones,cara@c.test,,expert,"))
    with pytest.raises(LearnerImportRefused, match="Nothing was imported because 1 row is wrong"):
        services.learners_import(preview=preview, acting_user=cast.staff)


@pytest.mark.parametrize("size", [10, 200])
def test_the_check_looks_up_everything_in_a_fixed_number_of_queries(
    cast, django_assert_max_num_queries, size
):
    rows = []
    for n in range(size):
        learner = factories.LearnerFactory(council=cast.council_a)
        factories.EnrolmentFactory(learner=learner, cohort=cast.cohort)
        rows.append(f"E06000001,New,Name,{learner.email},,practitioner,{cast.cohort.code}")
        rows.append(f"E06000002,New,Learner,new{n}@b.test,,practitioner,{cast.cohort.code}")
    data = csv_file(*rows)
    with django_assert_max_num_queries(5):
        preview = learners_import_preview(data)
    assert (len(preview.to_add), len(preview.to_update)) == (size, size)


def write(tmp_path, data: bytes):
    path = tmp_path / "learners.csv"
    path.write_bytes(data)
    return str(path)


def test_the_command_prints_each_wrong_line_and_saves_nothing(cast, tmp_path, capsys):
    rows = good_rows(cast)
    path = write(tmp_path, csv_file(rows[0], "E99999999,Cara,Jones,cara@,,practitioner,"))
    with pytest.raises(CommandError, match="1 row is wrong"):
        call_command("import_learners", path)
    err = capsys.readouterr().err
    assert "Line 3: Council code ‘E99999999’ is not a council on the programme" in err
    assert "Line 3: ‘cara@’ is not a valid email address" in err
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()


def test_the_command_refuses_a_latin1_file(cast, tmp_path):
    path = write(tmp_path, (HEADER + "\r\nE06000001,Zoë,B,z@a.test,,expert,\r\n").encode("cp1252"))
    with pytest.raises(CommandError, match="must be saved as CSV UTF-8"):
        call_command("import_learners", path)


def test_the_command_dry_run_reports_and_saves_nothing(cast, tmp_path, capsys):
    path = write(tmp_path, csv_file(*good_rows(cast)))
    call_command("import_learners", path, "--dry-run")
    assert "Would be 2 added, 1 updated, 1 enrolled in cohorts" in capsys.readouterr().out
    assert not Learner.objects.filter(email="amira.khan@a.test").exists()
    assert not OutboundEmail.objects.exists()


def test_the_command_imports_as_the_command(cast, tmp_path, capsys):
    path = write(tmp_path, csv_file(*good_rows(cast), bom=True))
    call_command("import_learners", path)
    assert "Imported: 2 added, 1 updated, 1 enrolled in cohorts" in capsys.readouterr().out
    amira = Learner.objects.get(email="amira.khan@a.test")
    assert amira.history.first().history_user is None
    call_command("import_learners", path)
    assert "Imported: 0 added, 0 updated, 0 enrolled" in capsys.readouterr().out


def test_the_command_says_when_the_file_is_missing(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_learners", str(tmp_path / "nope.csv"))
