"""Forms of the policy pages. Money is entered in 万元 as officials write it and stored in
yuan; the rule and the tiers are checked as they are typed and again by the services."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.chains.models import Chain
from gongxin.core.attachments import check_upload
from gongxin.core.choices import Role
from gongxin.core.models import Department, User
from gongxin.core.units import WAN
from gongxin.enterprises.choices import ItemStatus, PlanStatus
from gongxin.enterprises.models import CultivationPlan, PlanItem
from gongxin.policies.benefits import TierError, parse_tiers, tiers_text
from gongxin.policies.models import Policy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _wan(label, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, decimal_places=6, min_value=0, max_digits=16, **kwargs
    )


class PolicyForm(forms.ModelForm):
    amount_wan = _wan(_("Fixed amount (10k yuan)"))
    cap_wan = _wan(_("Cap (10k yuan)"))
    tiers_text = forms.CharField(
        label=_("Tiers"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "2000万元: 20万元\n5000万元: 50万元"}
        ),
        help_text=_("One per line: from this figure upwards, this amount."),
    )
    chains = forms.ModelMultipleChoiceField(
        queryset=Chain.objects.all(), required=False, label=_("Chains served")
    )

    class Meta:
        model = Policy
        fields = [
            "title",
            "issuer",
            "document_number",
            "summary",
            "effective_from",
            "effective_until",
            "status",
            "department",
            "chains",
            "benefit_kind",
            "amount_method",
            "amount_wan",
            "rate",
            "base",
            "cap_wan",
            "tiers_text",
            "without_application",
            "rule_text",
            "full_text",
        ]
        widgets = {
            "effective_from": DATE,
            "effective_until": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "rule_text": forms.Textarea(
                attrs={
                    "rows": 6,
                    "class": "code",
                    "spellcheck": "false",
                    "hx-post": "",  # set by the view: the rule check
                    "hx-trigger": "keyup changed delay:400ms",
                    "hx-target": "#rule-check",
                }
            ),
        }

    def __init__(self, *args, check_url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.all()
        self.fields["rule_text"].widget.attrs["hx-post"] = check_url
        policy = self.instance
        if policy.pk:
            self.initial.setdefault("amount_wan", policy.amount and policy.amount / WAN)
            self.initial.setdefault("cap_wan", policy.cap and policy.cap / WAN)
            self.initial.setdefault("tiers_text", tiers_text(policy.tiers, policy.base))
            self.initial.setdefault("chains", list(policy.chains.all()))

    def clean_full_text(self):
        """The full text is checked as attachments are: its content must be the type its
        name says (PDF, Word …) and within the size limit."""
        upload = self.cleaned_data.get("full_text")
        if upload and hasattr(upload, "content_type"):  # a new upload, not the stored file
            check_upload(upload)
        return upload

    def clean_tiers_text(self):
        try:
            return parse_tiers(self.cleaned_data["tiers_text"] or "")
        except TierError as exc:
            raise ValidationError(str(exc)) from None

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        amount, cap = data.pop("amount_wan"), data.pop("cap_wan")
        data["amount"] = None if amount is None else (amount * WAN).quantize(Decimal("0.01"))
        data["cap"] = None if cap is None else (cap * WAN).quantize(Decimal("0.01"))
        data["tiers"] = data.pop("tiers_text")
        data.pop("chains", None)
        if not data.get("full_text"):
            data.pop("full_text", None)
        return data


class ApplyForm(forms.Form):
    enterprise = forms.CharField(
        label=_("Enterprise (unified social credit code)"), required=False, max_length=18
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    requested_wan = _wan(_("Amount requested (10k yuan)"))
    statement = forms.CharField(
        label=_("Statement"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, own: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("year", timezone.localdate().year)
        if own:
            del self.fields["enterprise"]


class DecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=(("1", _("Approve")), ("0", _("Reject"))),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    amount_wan = _wan(_("Amount approved (10k yuan)"))
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class DisburseForm(forms.Form):
    amount_wan = _wan(_("Amount paid (10k yuan)"))
    on = forms.DateField(label=_("Paid on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("on", timezone.localdate())


class GrantForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class TierRuleForm(forms.Form):
    rule_text = forms.CharField(
        label=_("Candidate rule"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "code", "spellcheck": "false"}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class PlanForm(forms.ModelForm):
    class Meta:
        model = CultivationPlan
        fields = ["tier", "goal", "official", "start_year", "target_year", "status", "achieved_on"]
        widgets = {"goal": forms.Textarea(attrs={"rows": 3}), "achieved_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["official"].queryset = User.objects.filter(
            is_active=True, role__in=(Role.OFFICER, Role.STAFF, Role.LEADER, Role.DISTRICT)
        ).order_by("role", "username")
        year = timezone.localdate().year
        self.initial.setdefault("start_year", year)
        self.initial.setdefault("target_year", year + 2)

    def clean(self):
        data = super().clean()
        if data.get("status") == PlanStatus.ACHIEVED and not data.get("achieved_on"):
            data["achieved_on"] = timezone.localdate()
        return data


class PlanItemForm(forms.ModelForm):
    class Meta:
        model = PlanItem
        fields = ["kind", "text", "responsible", "due_on", "status", "done_on"]
        widgets = {"due_on": DATE, "done_on": DATE}

    def clean(self):
        data = super().clean()
        if data.get("status") == ItemStatus.DONE and not data.get("done_on"):
            data["done_on"] = timezone.localdate()  # marked done today
            self.instance.done_on = data["done_on"]
        return data
