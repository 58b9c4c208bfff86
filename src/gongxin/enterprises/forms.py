from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.core.choices import DISTRICT_KINDS, PARK_KINDS, Role
from gongxin.core.models import Industry, Region, User
from gongxin.core.units import WAN
from gongxin.enterprises.models import (
    AnnualFigure,
    Contact,
    Enterprise,
    MonthlyFigure,
    Qualification,
)
from gongxin.enterprises.uscc import uscc_clean


class EnterpriseForm(forms.ModelForm):
    """The enterprise file as staff edit it; registered capital is entered in 万元."""

    registered_capital_wan = forms.DecimalField(
        label=_("Registered capital (10k yuan)"), required=False, min_value=0, decimal_places=6
    )

    class Meta:
        model = Enterprise
        fields = [
            "uscc",
            "name",
            "legal_representative",
            "established_on",
            "address",
            "district",
            "park",
            "industry",
            "size_class",
            "above_scale",
            "status",
            "main_products",
            "business_scope",
            "service_officer",
        ]
        widgets = {
            "established_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "business_scope": forms.Textarea(attrs={"rows": 4}),
            "main_products": forms.TextInput(attrs={"size": 60}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = Region.objects.filter(kind__in=DISTRICT_KINDS)
        self.fields["park"].queryset = Region.objects.filter(kind__in=PARK_KINDS)
        self.fields["industry"].queryset = Industry.objects.filter(level__gte=2).order_by("code")
        self.fields["service_officer"].queryset = User.objects.filter(
            role=Role.OFFICER, is_active=True
        )
        if self.instance.pk and self.instance.registered_capital is not None:
            self.initial["registered_capital_wan"] = (
                self.instance.registered_capital / WAN
            ).normalize()

    def clean_uscc(self):
        return uscc_clean(self.cleaned_data["uscc"])

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self.Meta.fields}
        wan = self.cleaned_data.get("registered_capital_wan")
        data["registered_capital"] = None if wan is None else (wan * WAN).quantize(Decimal("0.01"))
        return data


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "phone", "email", "is_primary"]


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["kind", "level", "certificate_no", "issued_on", "expires_on"]
        widgets = {
            "issued_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


def _wan(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, required=False, decimal_places=6)


class _FiguresForm(forms.ModelForm):
    """Figures as officials enter them: money in 万元 and electricity in 万千瓦时, stored in
    yuan and kWh."""

    SCALED: tuple[str, ...] = ()

    def service_data(self) -> dict:
        data = {"employees": self.cleaned_data.get("employees")}
        for key in self.SCALED:
            value = self.cleaned_data.get(key)
            places = Decimal("0.1") if key == "electricity" else Decimal("0.01")
            data[key] = None if value is None else (value * WAN).quantize(places)
        return data


class MonthlyFigureForm(_FiguresForm):
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )
    output_value = _wan(_("Gross industrial output value (10k yuan)"))
    revenue = _wan(_("Operating revenue (10k yuan)"))
    profit = _wan(_("Total profit (10k yuan)"))
    tax = _wan(_("Taxes paid (10k yuan)"))
    electricity = forms.DecimalField(
        label=_("Electricity used (10k kWh)"), required=False, decimal_places=5
    )

    class Meta:
        model = MonthlyFigure
        fields = ["employees"]

    SCALED = ("output_value", "revenue", "profit", "tax", "electricity")


class AnnualFigureForm(_FiguresForm):
    year = forms.IntegerField(label=_("Year"), min_value=1949, max_value=2100)
    output_value = _wan(_("Gross industrial output value (10k yuan)"))
    revenue = _wan(_("Operating revenue (10k yuan)"))
    main_business_revenue = _wan(_("Main business revenue (10k yuan)"))
    profit = _wan(_("Total profit (10k yuan)"))
    tax = _wan(_("Taxes paid (10k yuan)"))
    rd_expense = _wan(_("R&D expenditure (10k yuan)"))
    total_assets = _wan(_("Total assets (10k yuan)"))

    class Meta:
        model = AnnualFigure
        fields = ["employees"]

    SCALED = (
        "output_value",
        "revenue",
        "main_business_revenue",
        "profit",
        "tax",
        "rd_expense",
        "total_assets",
    )
