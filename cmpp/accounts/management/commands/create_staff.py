"""Give someone a programme role and email them an invitation: how the first staff user of a new
installation gets in, before anyone can do it through the portal.

Never a password on the command line (it would stay in the shell's history and the process
list): the person sets their own through the invitation's link, as everyone else does."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from cmpp.accounts.models import Invitation, Organisation, StaffMembership
from cmpp.accounts.services import invitation_send, user_get_or_create, user_needs_invitation
from cmpp.core.records import record_save

ROLES = [role.value for role in StaffMembership.Role]


class Command(BaseCommand):
    help = (
        "Give EMAIL a staff role in an organisation and email them an invitation to set their "
        "password (valid for 7 days). Running it again for the same person adds nothing and "
        "sends a fresh invitation."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the person's work email address")
        parser.add_argument(
            "--organisation",
            required=True,
            help="the organisation's slug: dluhc or local-partnerships for programme staff "
            "(a viewer may also be ccs, lga or cabinet-office)",
        )
        parser.add_argument(
            "--role",
            choices=ROLES,
            default=StaffMembership.Role.PROGRAMME_STAFF.value,
            help="programme_staff runs the programme; programme_viewer only reads it "
            "(default: programme_staff)",
        )
        parser.add_argument("--first-name", default="", help="used to greet them in the email")
        parser.add_argument("--last-name", default="")

    def handle(self, *args, email, organisation, role, first_name, last_name, **options):
        email = email.strip()
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an email address.") from None
        body = self._organisation(organisation, role)
        with transaction.atomic():
            user = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
            membership = StaffMembership.objects.filter(user=user, organisation=body).first()
            if membership is None:
                membership = record_save(
                    StaffMembership(user=user, organisation=body, role=role), acting_user=None
                )
                self.stdout.write(
                    f"{user.email} is now {membership.get_role_display()} for {body}."
                )
            else:
                note = ""
                if membership.role != role:
                    note = " Their role is unchanged: change it in the Django admin."
                self.stdout.write(
                    f"{user.email} is already {membership.get_role_display()} for {body}; "
                    f"nothing added.{note}"
                )
            if not user_needs_invitation(user):
                self.stdout.write(
                    f"{user.email} has set a password and can already sign in; no invitation sent."
                )
                return
            invitation_send(
                user=user,
                invited_by=None,
                template="notifications/email/staff_invitation",
                context={
                    "organisation_name": body.name,
                    "role_name": membership.get_role_display().lower(),
                    "can_run": membership.role == StaffMembership.Role.PROGRAMME_STAFF,
                    "contact_email": body.contact_email,
                },
            )
        self.stdout.write(
            f"Invitation sent to {user.email}; the link works for {Invitation.VALID_FOR_DAYS} days."
        )

    @staticmethod
    def _organisation(slug: str, role: str) -> Organisation:
        """The organisation, if it may hold the role: programme staff run councils, so only a
        managing body (DLUHC/MHCLG, Local Partnerships) has them; any organisation may have
        viewers."""
        slug = slug.strip().lower()
        allowed = Organisation.objects.all()
        if role == StaffMembership.Role.PROGRAMME_STAFF:
            allowed = allowed.filter(can_manage_councils=True)
        found = allowed.filter(slug=slug).first()
        if found is None:
            names = ", ".join(allowed.order_by("slug").values_list("slug", flat=True))
            other = Organisation.objects.filter(slug=slug).first()
            if other is not None:
                raise CommandError(
                    f"{other.name} ({slug}) does not run councils, so it cannot have programme "
                    f"staff (it may have viewers: --role programme_viewer). Use one of: {names}"
                )
            raise CommandError(f"There is no organisation called {slug!r}. Use one of: {names}")
        return found
