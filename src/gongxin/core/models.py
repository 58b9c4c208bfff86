"""Regions, departments, industry classification, users and roles, API tokens, audit log."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.core.choices import AuditAction, DepartmentKind, RegionKind, Role


class MoneyField(models.DecimalField):
    """An amount of money in yuan, to the fen: the change history shows it with its unit
    and thousands separators. Migrations see the DecimalField it is."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.DecimalField", args, kwargs


class Region(models.Model):
    """An administrative division (GB/T 2260 code) or a development zone / park.

    Districts and counties hang under the city; zones and parks hang under the district
    that hosts them (or under another zone). `code` is the GB/T 2260 code for
    administrative divisions and a short local code for zones and parks.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RegionKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_park(self) -> bool:
        return self.kind in (RegionKind.NATIONAL_ZONE, RegionKind.PROVINCIAL_ZONE, RegionKind.PARK)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Department(models.Model):
    """A division of the bureau or a municipal department that handles enterprise matters."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=DepartmentKind.choices)
    duties = models.TextField(_("duties"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    #: Who overdue matters of the department escalate to.
    head = models.ForeignKey(
        "User",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """A category of GB/T 4754-2017 (国民经济行业分类): section, division, group or class.

    Sections are letters (C), divisions two digits (39), groups three (396), classes four
    (3961). Each code is stored with its section letter prefixless, as officials write it.
    """

    class Level(models.IntegerChoices):
        SECTION = 1, _("Section")
        DIVISION = 2, _("Division")
        GROUP = 3, _("Group")
        CLASS = 4, _("Class")

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class User(AbstractUser):
    """A person using gongxin, with one role and the region, department or enterprise
    that role is tied to. The scope of everything they see follows from these fields."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    display_name = models.CharField(_("name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("For district or park staff: the district, county, zone or park."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="users",
        help_text=_("For enterprise users: the enterprise they act for."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                name="user_district_role_has_region",
                condition=~Q(role=Role.DISTRICT) | Q(region__isnull=False),
                violation_error_message=_("District or park staff need a region."),
            ),
            models.CheckConstraint(
                name="user_department_role_has_department",
                condition=~Q(role=Role.DEPARTMENT) | Q(department__isnull=False),
                violation_error_message=_("Handling department users need a department."),
            ),
            models.CheckConstraint(
                name="user_enterprise_role_has_enterprise",
                condition=~Q(role=Role.ENTERPRISE) | Q(enterprise__isnull=False),
                violation_error_message=_("Enterprise users need an enterprise."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_admin(self) -> bool:
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def account_label(self) -> str:
        """Who is signed in, as the page header says it: name · role · what it is tied to."""
        tied = self.region or self.department or self.enterprise
        return " · ".join(str(part) for part in (self, self.get_role_display(), tied) if part)


class ApiToken(models.Model):
    """A bearer token for another system acting as a user. Only a hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "gx_" + secrets.token_urlsafe(32)


class AuditEntry(models.Model):
    """One recorded event: a login, or a change to business data with before and after.

    Written explicitly by services (never by signals alone), so changes made from the web
    UI, the API, imports and commands are all recorded with the acting user.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    actor_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.CharField(_("request"), max_length=36, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    # Indexed with object_id (Meta.indexes): the history of one record, or of one type.
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]
        indexes = [
            # Looked up by equality only: on PostgreSQL compared byte by byte
            # (pattern_ops), cheaper than the collation for the many entries of an import.
            models.Index(
                fields=["object_type", "object_id"],
                name="audit_object_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
        )


class ImportJob(models.Model):
    """One upload being checked or imported, with its progress and its outcome.

    The file is kept under var/imports/ so a checked file can then be committed as it is.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True)
    kind = models.CharField(_("import"), max_length=40)
    actor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="import_jobs")
    original_name = models.CharField(_("file"), max_length=255)
    stored_name = models.CharField(max_length=255)
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    committed = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.original_name}"


class DataVersion(models.Model):
    """A counter moved on after every committed write to the data that stored summaries
    are computed from (see `core.versions`): a summary computed at an older version is
    out of date."""

    name = models.CharField(primary_key=True, max_length=40)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Notification(models.Model):
    """A message to one user, shown in the app (and sent by email when they have one)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.title
