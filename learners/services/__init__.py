"""Writes to learners, one module per subject. Every function is atomic, records who acted, and
queues the emails its change causes in the same transaction (the outbox sends them after
commit). Callers import from here: `from learners import services`."""

from learners.services.anonymise import (
    learners_anonymise,
    learners_anonymise_due,
    learners_due_for_anonymising,
)
from learners.services.cpd import (
    CPD_EDITABLE_FIELDS,
    CPD_ENTRIES_PER_YEAR,
    cpd_entry_create,
    cpd_entry_delete,
    cpd_entry_update,
)
from learners.services.enrolments import (
    BulkEnrolment,
    cohort_close,
    enrolment_create,
    enrolment_move,
    enrolment_withdraw,
    enrolments_create,
    enrolments_place,
)
from learners.services.imports import (
    IMPORT_TIME_LIMIT,
    learner_import_check,
    learner_import_run,
    learner_import_start,
    learner_imports_sweep,
    learners_import,
)
from learners.services.learners import (
    LEARNER_EDITABLE_FIELDS,
    learner_approve,
    learner_create,
    learner_invitation_resend,
    learner_invite,
    learner_link_account,
    learner_set_status,
    learner_update,
    learners_invite,
    learners_update,
)
from learners.services.nominations import (
    nomination_approve,
    nomination_create,
    nomination_decline,
    nominations_digest_queue,
)
from learners.services.progress import (
    StepsRecorded,
    accreditation_record,
    already_completed_message,
    assessment_book,
    assessment_correct_result,
    assessment_record_result,
    attendance_record,
    learner_refresh_progress,
    register_opens_message,
    steps_complete,
)
from learners.services.reminders import (
    REMINDER_DAYS_BEFORE,
    at_risk_digest_queue,
    reminders_queue,
)

__all__ = [
    "IMPORT_TIME_LIMIT",
    "CPD_EDITABLE_FIELDS",
    "CPD_ENTRIES_PER_YEAR",
    "LEARNER_EDITABLE_FIELDS",
    "REMINDER_DAYS_BEFORE",
    "BulkEnrolment",
    "StepsRecorded",
    "accreditation_record",
    "at_risk_digest_queue",
    "already_completed_message",
    "assessment_book",
    "assessment_correct_result",
    "assessment_record_result",
    "attendance_record",
    "cohort_close",
    "cpd_entry_create",
    "cpd_entry_delete",
    "cpd_entry_update",
    "enrolment_create",
    "enrolment_move",
    "enrolment_withdraw",
    "enrolments_create",
    "learner_approve",
    "learner_create",
    "learner_invitation_resend",
    "learner_invite",
    "learner_link_account",
    "learner_set_status",
    "learner_update",
    "learner_refresh_progress",
    "learners_anonymise",
    "learners_anonymise_due",
    "learners_due_for_anonymising",
    "learners_import",
    "learner_import_check",
    "learner_import_run",
    "learner_import_start",
    "learner_imports_sweep",
    "learners_invite",
    "learners_update",
    "enrolments_place",
    "nomination_approve",
    "nomination_create",
    "nomination_decline",
    "nominations_digest_queue",
    "register_opens_message",
    "reminders_queue",
    "steps_complete",
]
