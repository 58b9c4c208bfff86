"""Forms of the demand pages: registering a demand and each step of its loop."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.chains.forms import EnterpriseRefField
from gongxin.core.models import Department
from gongxin.demands.choices import Category, Rating, Source, Urgency


class DemandForm(forms.Form):
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
        label=_("Source"), choices=[c for c in Source.choices if c[0] != Source.PORTAL]
    )
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)

    def __init__(self, *args, enterprises=None, own=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises
        if own is not None:  # an enterprise's own user: its enterprise, by the portal
            for name in ("enterprise", "source", "reference"):
                del self.fields[name]


class StepForm(forms.Form):
    """Any step: its text, the version the user saw; dispatch and rating add theirs."""

    version = forms.IntegerField(widget=forms.HiddenInput)
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.order_by("kind", "sort_order", "code")
        self.fields["lead"].queryset = departments
        self.fields["co_departments"].queryset = departments
