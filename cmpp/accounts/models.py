"""People who sign in, the organisations that run and observe the programme, and staff roles."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from cmpp.core.models import TimeStampedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users must have an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email=self.normalize_email(email.strip()).lower())


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. Email is the login; `is_staff` only opens the Django admin."""

    email = models.EmailField("email address", max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the Django admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        # Addresses are stored in lower case (the manager and `clean` see to it, the check makes
        # it certain), so an exact lookup of the lowered address is case-insensitive and is
        # served by the unique index: allauth's sign-in looks users up with `email=` too.
        constraints = [
            models.UniqueConstraint(fields=["email"], name="user_email_unique"),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="user_email_lower_case"
            ),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email


class Organisation(TimeStampedModel):
    """A body taking part in the programme. Names change (DLUHC became MHCLG); slugs do not."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "Government department"
        DELIVERY = "delivery", "Delivery partner"
        OBSERVER = "observer", "Observer"

    name = models.CharField(max_length=200)
    short_name = models.CharField(max_length=50, blank=True)
    slug = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    can_manage_councils = models.BooleanField(
        default=False, db_index=True, help_text="Can be a council's managing body."
    )
    contact_email = models.EmailField(
        blank=True,
        help_text="The programme team's address, named in every email to its councils' people.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.short_name or self.name


class StaffMembership(TimeStampedModel):
    """A person's role in an organisation that runs or observes the whole programme."""

    class Role(models.TextChoices):
        PROGRAMME_STAFF = "programme_staff", "Programme staff"
        PROGRAMME_VIEWER = "programme_viewer", "Programme viewer"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="staff_memberships"
    )
    role = models.CharField(max_length=30, choices=Role.choices, db_index=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="staff_membership_unique"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"


class Invitation(TimeStampedModel):
    """A single-use link to set a password and sign in, valid for seven days.

    Only a hash of the token is kept here, so a copy of this table cannot be used to sign in.
    Sending a new invitation revokes the person's earlier ones.
    """

    VALID_FOR_DAYS = 7

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.user}"

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
