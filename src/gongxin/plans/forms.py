"""Forms of the plan pages: import a document, describe the draft, assign a task, file a
progress report."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongxin.core.choices import Role
from gongxin.core.forms import FilesField
from gongxin.core.models import Department, User
from gongxin.plans.choices import State, TaskStatus
from gongxin.plans.models import Plan
from gongxin.plans.reading import MAX_BYTES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class PlanImportForm(forms.Form):
    document = forms.FileField(
        label=_("Plan document"),
        help_text=_(
            "Plain text, Markdown, HTML, Word (DOCX) or PDF with text. The document is split "
            "into tasks and shown for checking before anything is saved."
        ),
    )

    def clean_document(self):
        document = self.cleaned_data["document"]
        if document.size > MAX_BYTES:
            raise forms.ValidationError(
                _("%(name)s is larger than %(mb)d MB; a plan document is far smaller.")
                % {"name": document.name, "mb": MAX_BYTES // 2**20}
            )
        return document


class DraftDescribeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    author = forms.CharField(label=_("Issuer or author"), max_length=100, required=False)
    date = forms.DateField(label=_("Date of the document"), required=False, widget=DATE)
    year = forms.IntegerField(
        label=_("Year"),
        min_value=1990,
        max_value=2100,
        help_text=_("Deadlines without a year (“6月底前”) fall in this year."),
    )


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["title", "number", "author", "issued_on", "year", "report_every"]
        widgets = {"issued_on": DATE}


def official_choices():
    """Division staff, leadership and the departments' users (the service checks the
    department is among the task's owners)."""
    return User.objects.filter(
        is_active=True, role__in=(Role.STAFF, Role.DEPARTMENT, Role.LEADER)
    ).order_by("role", "department__sort_order", "username")


class TaskAssignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    lead = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("— none —"),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Co-operating departments"),
        queryset=Department.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    owners_text = forms.CharField(
        label=_("Other owners"),
        max_length=300,
        required=False,
        help_text=_("Owners that are not departments here, e.g. 各县（区）人民政府."),
    )
    official = forms.ModelChoiceField(
        label=_("Responsible official"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— none —"),
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=DATE)
    ongoing = forms.BooleanField(label=_("Ongoing (长期坚持), no deadline"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official"].queryset = official_choices()


class ReportForm(forms.Form):
    period = forms.DateField(label=_("Period"), input_formats=["%Y-%m"], widget=MONTH)
    status = forms.ChoiceField(
        label=pgettext_lazy("of a plan", "Status"), choices=TaskStatus.choices
    )
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(
        label=_("Progress made"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    problems = forms.CharField(
        label=_("Problems"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )
    next_steps = forms.CharField(
        label=_("Next steps"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=3000,
    )
    files = FilesField(label=_("Evidence files"))

    def __init__(self, *args, period: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("period", period or timezone.localdate().replace(day=1))


class TaskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.none(), required=False, empty_label=_("All plans")
    )
    lead = forms.ModelChoiceField(
        label=_("Lead department"),
        queryset=Department.objects.all(),
        required=False,
        empty_label=_("All departments"),
    )
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *State.choices], required=False
    )
    colour = forms.ChoiceField(
        label=_("Colour"),
        choices=[
            ("", _("All colours")),
            ("red", _("Red")),
            ("yellow", _("Yellow")),
            ("green", _("Green")),
        ],
        required=False,
    )

    def __init__(self, *args, plans=None, **kwargs):
        super().__init__(*args, **kwargs)
        if plans is not None:
            self.fields["plan"].queryset = plans


class PlanFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=pgettext_lazy("of a plan", "Status"),
        choices=[("", _("All"))] + list(Plan._meta.get_field("status").choices),
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
