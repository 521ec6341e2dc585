"""Base models shared by every domain app, and the change log."""

from __future__ import annotations

import copy
import datetime
import decimal
import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import translation
from django.utils.hashable import make_hashable
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .pinyin import text_pinyin
from .querysets import RestrictedQuerySet, RestrictedTreeManager
from .scope import ACTIONS, is_unrestricted

_PLAIN_TYPES = frozenset({str, int, bool, float, type(None)})


def _jsonable(value):
    if type(value) in _PLAIN_TYPES:  # most values: no isinstance chain (an import snapshots every member)
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, FieldFile):  # a file's stored name (random: core.files.private_name), never its content
        return value.name or ""
    return value


class BaseModel(models.Model):
    """Every model: `objects.restrict(user, action)` is available.

    Scoped models say how they hang off the trees with two attributes (a field path, "" for the tree
    model itself, None when not scoped that way): `scope_org_field` and `scope_area_field`.
    """

    scope_org_field: str | None = None
    scope_area_field: str | None = None

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):
        """`get_FOO_display()` from a label table built once per field and language: Django's rebuilds the
        field's choices (and translates every label) on each call — 200 times on a 50-row member page."""
        value = getattr(self, field.attname)
        return choice_labels(field).get(make_hashable(value), value)


_CHOICE_LABELS: dict[tuple[Any, str | None], dict[Any, str]] = {}


def choice_labels(field) -> dict[Any, str]:
    """{value: label} of a field with choices in the active language (built once per field and language)."""
    key = (field, translation.get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = _CHOICE_LABELS[key] = {make_hashable(k): str(v) for k, v in field.flatchoices}
    return labels


class ChangeLoggedModel(BaseModel):
    """Writes one `ObjectChange` row (who, when, before/after) for every create, update and delete."""

    created = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    last_updated = models.DateTimeField(_("last updated"), auto_now=True, null=True)

    change_log_exclude: tuple[str, ...] = ("created", "last_updated", "numchild")
    # the audit event type of its writes (core.audit): "" for the plain create/update/delete, e.g. "role" or "config"
    audit_event = ""

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        instance = super().from_db(db, field_names, values, **kwargs)
        # The state as loaded, for the change log. It becomes a snapshot only when a write asks for it: pages and
        # checks load thousands of rows they never change. Containers are copied, so that changing a JSON value
        # in place still shows in the log.
        instance.__dict__["_loaded_state"] = {
            name: copy.deepcopy(v) if isinstance(v, dict | list) else v
            for name, v in zip(field_names, values, strict=True)
        }
        return instance

    @property
    def _prechange(self) -> dict | None:
        """The snapshot as last loaded or logged (None for an object not read from the database)."""
        if "_prechange_data" not in self.__dict__:
            loaded = self.__dict__.get("_loaded_state")
            self.__dict__["_prechange_data"] = None if loaded is None else self.snapshot(loaded)
        return self.__dict__["_prechange_data"]

    @_prechange.setter
    def _prechange(self, value: dict | None) -> None:
        self.__dict__["_prechange_data"] = value

    def snapshot(self, values: dict | None = None) -> dict:
        """Field values for the change log (of this object, or of `values` by attribute name as loaded); personal
        data appear only masked, blind indexes not at all."""
        data = {}
        source = self.__dict__ if values is None else values  # a deferred field is absent: no query for it
        for name, attname, fingerprint in _snapshot_plan(type(self)):
            if attname in source:
                value = source[attname]
                data[name] = fingerprint(value) if fingerprint is not None else _jsonable(value)
        return data


_SNAPSHOT_PLANS: dict[type, tuple] = {}


def _snapshot_plan(model) -> tuple:
    """(name, attname, fingerprint function or None) of the fields a model's snapshot holds, worked out once."""
    plan = _SNAPSHOT_PLANS.get(model)
    if plan is None:
        plan = _SNAPSHOT_PLANS[model] = tuple(
            (f.name, f.attname, cast(Any, f).fingerprint if getattr(f, "pii", False) else None)
            for f in model._meta.concrete_fields
            if not (f.name in model.change_log_exclude or f.primary_key or f.name.endswith("_index"))
        )
    return plan


class TreeNode(MP_Node, ChangeLoggedModel):
    """A node of one of the two trees (materialized path; steplen 4, alphabet 0-9A-Z)."""

    objects = RestrictedTreeManager()  # type: ignore[misc]

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.fill_pinyin()
        super().save(*args, **kwargs)

    def fill_pinyin(self) -> None:
        """A node with a name and its pinyin (orgs, areas: the tree picker finds them by it) keeps them in step."""
        if hasattr(self, "name_pinyin"):
            self.name_pinyin, self.name_initials = text_pinyin(getattr(self, "name", "") or "")

    def get_parent_node(self):
        return type(self).objects.get_parent(self)

    def ancestors(self):
        return type(self).objects.get_ancestors(self)

    def children(self):
        return type(self).objects.get_children(self)

    def descendants(self, include_self=False):
        return type(self).objects.get_descendants(self, include_self=include_self)


class ObjectChange(models.Model):
    """One row per write: who changed what, when, from which request, before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Updated")
        DELETE = "delete", _("Deleted")

    time = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    user_name = models.CharField(_("user name"), max_length=150, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True, db_index=True)
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    # the index on (content_type, object_id) below serves the content type alone too
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.BigIntegerField(_("object id"), db_index=True)
    object_repr = models.CharField(_("object"), max_length=200)
    prechange_data = models.JSONField(_("before"), null=True, blank=True)
    postchange_data = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        ordering = ["-time", "-pk"]
        verbose_name = _("change")
        verbose_name_plural = _("change log")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> dict:
        before, after = self.prechange_data or {}, self.postchange_data or {}
        keys = sorted(set(before) | set(after))
        return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


class BackgroundJob(models.Model):
    """What a user sees of one of their background jobs (core.jobs): state, progress, why it failed.

    The work itself is a django-tasks task (`task_id`: its latest attempt); the state here follows the task's —
    `core.jobs.refresh` marks the job failed when its task failed or its worker died. `attempt` counts the runs
    asked for: a task runs the job only if it is queued for that very attempt, so no attempt runs twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Error(models.TextChoices):
        WORKER_DIED = "worker_died", _("The background worker running it stopped (it was restarted or killed).")
        CRASHED = "crashed", _("It stopped because of an unexpected error.")
        FILE_GONE = "file_gone", _("The uploaded file is no longer kept: please upload it again.")
        LOST = "lost", _("It was interrupted before it could finish.")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=30)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=10, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True)
    attempt = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=20, blank=True, choices=Error.choices)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created"]

    @property
    def active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return 100 * self.done // self.total if self.total else 0


class ImportBatch(BackgroundJob):
    """One run of an import from the web: who, which file (SHA-256), progress, and the result report."""

    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64)
    dry_run = models.BooleanField(_("dry run"), default=True)
    result = models.JSONField(null=True, blank=True)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self):
        return f"{self.kind} {self.filename}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        # checking the rows is the first half of the work, writing them the second
        half = 50 * self.done // self.total
        return half if self.stage == "check" else 50 + half


class ExportJob(BackgroundJob):
    """An export too large for a request: the list's filters, and the file to download when done."""

    fmt = models.CharField(max_length=5)
    params = models.JSONField(default=dict)  # views (ModelViews path), query (the list's filters), reveal_reason
    filename = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(default=0)

    class Meta(BackgroundJob.Meta):
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return self.filename


class WorkerProcess(models.Model):
    """A running `sqdj worker` (core.worker), under the id it leaves in the tasks it claims. A worker on this host
    is alive while its process is (pid and the process's start time); one elsewhere while its heartbeat is fresh."""

    id = models.CharField(primary_key=True, max_length=64)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    process_start = models.CharField(max_length=32, blank=True)
    started = models.DateTimeField(auto_now_add=True)
    seen = models.DateTimeField()

    def __str__(self):
        return f"{self.host}:{self.pid}"


class DailyRun(models.Model):
    """A daily job queued for a day: at most one row per (job, day), so that it is queued once whatever the
    number of workers."""

    job = models.CharField(max_length=60)
    day = models.DateField()
    task_id = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "day"], name="core_dailyrun_once_a_day")]

    def __str__(self):
        return f"{self.job} {self.day}"


class RuleParameter(ChangeLoggedModel):
    """One version of one figure of the rulebook, with its source (rules.md); every write is in the change log.

    The figures are public regulation text, so every signed-in user may view them. The table is deployment-wide
    (no org scope), so only superusers and city/district administrators may write, and only local variants: the
    national rows come from the seed data and change only with a release."""

    EDITOR_ROLES = ("city_admin", "district_admin")
    audit_event = "config"  # a figure of the rulebook is a parameter of the deployment

    class RuleParameterQuerySet(RestrictedQuerySet):
        def restrict(self, user, action: str = "view"):
            if action not in ACTIONS:
                raise ValueError(f"unknown action {action!r}")
            if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
                return self.none()
            if action == "view":
                return self
            if action in ("add", "change", "delete") and (is_unrestricted(user) or RuleParameter.is_editor(user)):
                return self.filter(local=True)
            return self.none()

    class Trust(models.TextChoices):
        V1 = "V1", _("Text read verbatim in a republished copy")
        V2 = "V2", _("Confirmed by two or more secondary sources")
        V3 = "V3", _("Single secondary source or official guidance")
        LOCAL = "LOCAL", _("Local practice")
        U = "U", _("Unverified")

    rule_id = models.CharField(_("rule"), max_length=80, db_index=True)
    value = models.JSONField(_("value"))
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    regulation = models.CharField(_("regulation"), max_length=200)
    article = models.CharField(_("article"), max_length=100, blank=True)
    trust = models.CharField(_("trust"), max_length=5, choices=Trust.choices)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    local = models.BooleanField(_("local variant"), default=False)
    note = models.TextField(_("note"), blank=True)

    objects = RuleParameterQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["rule_id", "effective_from"]
        verbose_name = _("rulebook parameter")
        verbose_name_plural = _("rulebook parameters")

    def __str__(self):
        return f"{self.rule_id} = {self.value}"

    @classmethod
    def is_editor(cls, user) -> bool:
        """Whether `user` holds a role that may add local variants (kept with the user's scope cache)."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        cache = user.__dict__.setdefault("_sqdj_anchor_cache", {})
        if "rulebook_editor" not in cache:
            cache["rulebook_editor"] = user.role_assignments.filter(role__in=cls.EDITOR_ROLES).exists()
        return cache["rulebook_editor"]


class Notification(models.Model):
    """A message in the app to a person who must act (a case waiting for them) or should know (a case done)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("message"), max_length=300)
    url = models.CharField(max_length=300, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="core_notification_unread")]

    def __str__(self):
        return self.text


class NumberSequence(models.Model):
    """The last number given out under a key (e.g. the certificates of a year): core.numbering takes the next one
    under a row lock, so that two issuers at once never share a number and no number is skipped."""

    key = models.CharField(max_length=60, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"{self.key}: {self.last}"


class AuditEventQuerySet(models.QuerySet):
    """The audit trail is append-only: no bulk update or delete through the ORM (the retention purge goes through
    `core.audit.purge`, which deletes with a raw statement — on PostgreSQL the table's trigger lets only it by)."""

    def update(self, **kwargs):
        raise PermissionError("the audit trail is append-only")

    def delete(self):
        raise PermissionError("the audit trail is append-only")


class AuditEvent(models.Model):
    """One security-relevant event (security.md R8–R11), in a hash chain: `hash` = sha256(`prev_hash` + the row's
    canonical content, core.audit.canonical). Written only by `core.audit.record`; never updated nor deleted
    except by the retention purge. No personal numbers in `detail` (R9); the user is kept by id and name, not by
    a foreign key, so that the row outlives the account."""

    class Event(models.TextChoices):
        LOGIN = "login", _("Signed in")
        LOGIN_FAILED = "login_failed", _("Sign-in failed")
        LOGOUT = "logout", _("Signed out")
        LOCKOUT = "lockout", _("Account locked after failed sign-ins")
        UNLOCK = "unlock", _("Account unlocked")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset by an administrator")
        OTP_ENROLLED = "otp_enrolled", _("Second factor enrolled")
        OTP_REMOVED = "otp_removed", _("Second factor removed")
        OTP_FAILED = "otp_failed", _("Second factor code refused")
        ACCOUNT_CREATED = "account_created", _("Account created")
        ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
        ROLE = "role", _("Role changed")
        DUTY = "duty", _("Administrative duty changed")
        REVEAL = "reveal", _("Personal numbers revealed")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        BACKUP = "backup", _("Backup")
        RESTORE = "restore", _("Restore")
        CONFIG = "config", _("Configuration or parameter changed")
        CREATE = "create", _("Object created")
        UPDATE = "update", _("Object updated")
        DELETE = "delete", _("Object deleted")
        AUDIT_PURGE = "audit_purge", _("Old audit records purged")
        PUBLIC_TRACK = "public_track", _("Public request tracking")
        PUBLIC_REQUEST = "public_request", _("Public request refused")
        SENSITIVE_VIEW = "sensitive_view", _("Sensitive record viewed")
        ANONYMISED = "anonymised", _("Records anonymised after retention")

    class Outcome(models.TextChoices):
        OK = "ok", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUSED = "refused", _("Refused")

    id = models.BigAutoField(primary_key=True)
    time = models.DateTimeField(_("time"), db_index=True)
    user_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    username = models.CharField(_("user name"), max_length=150, blank=True)
    roles = models.CharField(_("duty or roles"), max_length=200, blank=True)
    remote_addr = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True)
    event = models.CharField(_("event"), max_length=30, choices=Event.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    org_path = models.CharField(_("organization scope"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OK)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["object_type", "object_id"], name="core_audit_object")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.event} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit trail is append-only")
