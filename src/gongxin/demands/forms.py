"""Forms of the demand and visit pages: registering a demand (with a factor request and
attachments), each step of its loop, the desk's changes, extensions, visits and plans."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.chains.forms import EnterpriseRefField
from gongxin.chains.models import Chain
from gongxin.core.forms import FilesField
from gongxin.core.models import Department, Region, User
from gongxin.demands.choices import (
    Category,
    FactorKind,
    FactorUnit,
    Frequency,
    Rating,
    Source,
    Urgency,
    VisitKind,
    VisitTarget,
)
from gongxin.demands.services import FactorAsk
from gongxin.projects.models import Project


class FactorFields(forms.Form):
    """要素保障: the structured ask a demand may carry (all empty: an ordinary demand)."""

    factor_kind = forms.ChoiceField(
        label=_("Factor request"),
        choices=[("", _("None: an ordinary demand")), *FactorKind.choices],
        required=False,
    )
    factor_detail = forms.CharField(
        label=_("What exactly"),
        max_length=200,
        required=False,
        help_text=_("Kind of worker or talent, purpose of the funds or land, kind of energy"),
    )
    factor_quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0.01, max_digits=18, decimal_places=2, required=False
    )
    factor_unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("", _("The factor's usual unit")), *FactorUnit.choices],
        required=False,
    )
    factor_needed_by = forms.DateField(
        label=_("Needed by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    factor_term_months = forms.IntegerField(
        label=_("Term (months)"), min_value=1, max_value=600, required=False
    )
    factor_project = forms.ModelChoiceField(
        label=_("For the key project"),
        queryset=Project.objects.none(),
        required=False,
        help_text=_("A factor request for a key project comes first"),
    )

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["factor_project"].queryset = projects.select_related("enterprise").order_by(
                "enterprise__name", "name"
            )
            self.fields["factor_project"].label_from_instance = lambda p: (
                f"{p.enterprise.name}：{p.name}" if p.enterprise_id else p.name
            )

    def factor_clean(self, data: dict) -> None:
        if not data.get("factor_kind"):
            return
        if not data.get("factor_quantity"):
            self.add_error("factor_quantity", _("Say how much is asked for."))
        if not (data.get("factor_detail") or "").strip():
            self.add_error("factor_detail", _("Say what exactly is asked for."))
        project = data.get("factor_project")
        enterprise = data.get("enterprise")
        if project and enterprise and project.enterprise_id != enterprise.pk:
            self.add_error("factor_project", _("This project is another enterprise's."))

    def factor_ask(self, project=None) -> FactorAsk | None:
        data = self.cleaned_data
        if not data.get("factor_kind"):
            return None
        return FactorAsk(
            kind=data["factor_kind"],
            detail=data["factor_detail"],
            quantity=data["factor_quantity"],
            unit=data.get("factor_unit") or "",
            needed_by=data.get("factor_needed_by"),
            term_months=data.get("factor_term_months"),
            project=project,
        )


class DemandForm(FactorFields):
    enterprise = EnterpriseRefField(label=_("Enterprise"), required=True)
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("What the enterprise asks"), max_length=10_000, widget=forms.Textarea
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Suggest from the text")), *Category.choices],
        required=False,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[c for c in Source.choices if c[0] not in (Source.PORTAL, Source.VISIT)],
    )
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)
    attachments = FilesField(label=_("Attachments"))

    field_order = ["enterprise", "title", "text", "category", "urgency", "source", "reference"]

    def __init__(self, *args, enterprises=None, own=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        if own is not None:  # an enterprise's own user: its enterprise, by the portal
            for name in ("enterprise", "source", "reference"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        self.factor_clean(data)
        return data


class VersionForm(forms.Form):
    """A change to a demand at the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(VersionForm):
    """Any step: its text, the version the user saw; dispatch, resolution and rating add
    theirs; any step may carry attachments."""

    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    lead = forms.ModelChoiceField(
        label=_("Lead department"), queryset=Department.objects.none(), required=False
    )
    co_departments = forms.ModelMultipleChoiceField(
        label=_("Co-departments"), queryset=Department.objects.none(), required=False
    )
    rating = forms.ChoiceField(
        label=_("Rating"), choices=[("", "—"), *Rating.choices], required=False
    )
    fulfilled = forms.DecimalField(
        label=_("How much of the factor request was met"),
        min_value=0,
        max_digits=18,
        decimal_places=2,
        required=False,
    )
    attachments = FilesField(label=_("Attachments"))

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("kind", "sort_order", "code")
        self.fields["lead"].queryset = departments
        self.fields["co_departments"].queryset = departments
        if fields is not None:  # only what the steps offered need
            for name in list(self.fields):
                if name not in fields and name != "version":
                    del self.fields[name]


class RecategorizeForm(VersionForm):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)


class ExtensionRequestForm(VersionForm):
    phase = forms.ChoiceField(
        label=_("Deadline"),
        choices=[("resolve", _("Resolution")), ("reply", _("Interim reply"))],
    )
    days = forms.IntegerField(label=_("Working days more"), min_value=1, max_value=30)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtensionDecideForm(forms.Form):
    extension = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MergeForm(VersionForm):
    into = forms.IntegerField(
        label=_("Merge into demand No."),
        min_value=1,
        help_text=_("The demand of the same enterprise this one repeats"),
    )


class VisitForm(forms.Form):
    enterprise = EnterpriseRefField(label=_("Enterprise"), required=True)
    visited_on = forms.DateField(
        label=_("Date of the visit"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitKind.choices)
    officials = forms.ModelMultipleChoiceField(
        label=_("Who went"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("You, unless you choose others"),
    )
    seen = forms.CharField(
        label=_("What was seen"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )
    findings = forms.CharField(
        label=_("Findings"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        self.fields["officials"].queryset = User.objects.filter(
            is_active=True, role__in=("officer", "district", "staff", "leader")
        ).order_by("role", "username")


class RaisedDemandForm(FactorFields):
    """A demand heard at the visit (left empty: none)."""

    title = forms.CharField(label=_("Demand raised"), max_length=200, required=False)
    text = forms.CharField(
        label=_("What the enterprise asks"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("Suggest from the text")), *Category.choices],
        required=False,
    )
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)

    field_order = ["title", "text", "category", "urgency"]

    def clean(self):
        data = super().clean()
        if data.get("title") and not (data.get("text") or "").strip():
            self.add_error("text", _("Say what the enterprise asks."))
        if (data.get("text") or "").strip() and not data.get("title"):
            self.add_error("title", _("Give the demand a title."))
        if data.get("title"):
            self.factor_clean(data)
        return data


RaisedDemandFormSet = forms.formset_factory(RaisedDemandForm, extra=2, max_num=10)


class VisitPlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    target = forms.ChoiceField(label=_("Enterprises to visit"), choices=VisitTarget.choices)
    chain = forms.ModelChoiceField(
        label=_("Chain"),
        queryset=Chain.objects.none(),
        required=False,
        help_text=_("For a plan covering one chain"),
    )
    region = forms.ModelChoiceField(
        label=_("District or park"),
        queryset=Region.objects.none(),
        required=False,
        help_text=_("Limits the plan to one district or park"),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    starts_on = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    ends_on = forms.DateField(
        label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chain"].queryset = Chain.objects.filter(parent__isnull=True).order_by(
            "sort_order", "pk"
        )
        self.fields["region"].queryset = Region.objects.exclude(kind="city").order_by(
            "sort_order", "code"
        )

    def clean(self):
        data = super().clean()
        if data.get("target") == VisitTarget.CHAIN and not data.get("chain"):
            self.add_error("chain", _("Choose the chain."))
        if data.get("target") == VisitTarget.REGION and not data.get("region"):
            self.add_error("region", _("Choose the district or park."))
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The plan ends after it starts."))
        return data
