from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlanStatus(models.TextChoices):
    """A plan is drafted (tasks checked and assigned), issued to its owners (下达), closed."""

    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Issued")
    CLOSED = "closed", _("Closed")


#: from → to: the transitions of a plan, each one service.
PLAN_TRANSITIONS = {
    PlanStatus.DRAFT: (PlanStatus.ACTIVE,),
    PlanStatus.ACTIVE: (PlanStatus.CLOSED,),
    PlanStatus.CLOSED: (PlanStatus.ACTIVE,),
}


class ReportEvery(models.TextChoices):
    MONTH = "month", _("Monthly")
    QUARTER = "quarter", _("Quarterly")


class TaskStatus(models.TextChoices):
    """What the owner reports: 未启动 / 推进中 / 已完成. 滞后 (late) is not stored: it
    follows from the deadline (see `State`)."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("of a task", "In progress")
    DONE = "done", _("Completed")


class State(models.TextChoices):
    """How a task stands today: its status, or late when its deadline has passed."""

    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("of a task", "In progress")
    DONE = "done", _("Completed")
    LATE = "late", _("Late")


class Colour(models.TextChoices):
    """红黄绿: red when late, yellow when a report is missing or the deadline is close
    and the work is not done, green otherwise."""

    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Needs attention")
    RED = "red", _("Late")


class LinkKind(models.TextChoices):
    CHAIN = "chain", _("Chain")
    PROJECT = "project", _("Project")
    PROJECT_TYPE = "project_type", _("Kind of project")
    POLICY = "policy", _("Policy")


class NoticeKind(models.TextChoices):
    """督办: what a supervision notice is about."""

    DUE_SOON = "due_soon", _("Deadline close")
    OVERDUE = "overdue", _("Overdue")
    REPORT_MISSING = "report_missing", _("Progress report missing")
