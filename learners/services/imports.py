"""Importing a checked CSV of learners: all rows or none."""

from dataclasses import replace

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cmpp.accounts.models import User
from learners.imports import (
    ImportCounts,
    ImportPreview,
    LearnerImportRefused,
    LearnerRow,
    RowProblem,
    learners_import_preview,
)
from learners.models import Learner
from learners.services.enrolments import enrolment_create
from learners.services.learners import learner_create, learner_update

IMPORT_RACE = (
    "Nothing was imported because someone changed these learners while the file was being "
    "imported. Upload the file again to check it"
)


def learners_import(*, preview: ImportPreview, acting_user: User | None) -> ImportCounts:
    """Add and update the preview's learners and enrol them in their cohorts, all or nothing.

    The file is checked again inside the transaction, so an old preview cannot let a wrong or
    duplicate row through. Any wrong row imports nothing (LearnerImportRefused). New learners are
    invited by email. A learner already in the row's cohort is not enrolled again, so importing
    the same file twice adds and enrols nobody the second time.
    """
    if not preview.is_valid:
        raise LearnerImportRefused.of(preview)
    added, updated = [], []
    try:
        with transaction.atomic():
            checked = learners_import_preview(preview.data)
            if not checked.is_valid:
                raise LearnerImportRefused.of(checked)
            for row in checked.to_add + checked.to_update:
                learner = _import_row(row, acting_user)
                if row.learner is None:
                    added.append(learner)
                elif row.updates:
                    updated.append(learner)
    except IntegrityError as exc:
        # A learner or account with the same email was saved by someone else meanwhile.
        raise LearnerImportRefused(IMPORT_RACE) from exc
    return replace(
        checked.counts,
        added_learners=tuple(sorted(added, key=_by_name)),
        updated_learners=tuple(sorted(updated, key=_by_name)),
    )


def _by_name(learner: Learner) -> tuple[str, str]:
    return (learner.last_name, learner.first_name)


def _import_row(row: LearnerRow, acting_user: User | None) -> Learner:
    try:
        learner = row.learner
        if learner is None:
            learner = learner_create(
                council=row.council,
                first_name=row.first_name,
                last_name=row.last_name,
                email=row.email,
                target_level=row.target_level,
                job_title=row.job_title,
                acting_user=acting_user,
            )
        elif row.updates:
            learner_update(learner=learner, acting_user=acting_user, **row.updates)
        if row.enrol:
            enrolment_create(learner=learner, cohort=row.cohort, acting_user=acting_user)
    except ValidationError as exc:
        raise LearnerImportRefused(
            f"Nothing was imported because line {row.line} could not be saved",
            [RowProblem(row.line, message) for message in exc.messages],
        ) from exc
    return learner
