"""Forms of the key project pages. Money is entered in 万元 as officials write it and
stored in yuan; the owner enterprise is named by its credit code or exact name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongxin.chains.models import Chain, ChainNode
from gongxin.core.choices import Role
from gongxin.core.models import User
from gongxin.core.selectors import district_list, park_list
from gongxin.core.units import WAN, from_wan
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.selectors import enterprise_scope
from gongxin.projects.choices import STAGE_ORDER, ProjectStage
from gongxin.projects.models import Building, Milestone, Project

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


def _wan(label, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=required, min_value=0, max_digits=16, decimal_places=4
    )


def wan(value: Decimal | None) -> Decimal | None:
    return None if value is None else (value / WAN).normalize()


class ProjectForm(forms.ModelForm):
    owner = forms.CharField(
        label=_("Owner enterprise"),
        required=False,
        help_text=_("Credit code or full name as in the archive; empty for a park's building."),
    )
    planned_wan = _wan(_("Planned investment (10k yuan)"), required=True)
    equipment_wan = _wan(_("Of which equipment (10k yuan)"))

    class Meta:
        model = Project
        fields = [
            "code",
            "name",
            "project_type",
            "level",
            "content",
            "chain",
            "node",
            "district",
            "park",
            "official",
        ]
        widgets = {"content": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"code": _("Leave empty for the next number of the year.")}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["code"].required = False
        self.fields["district"].queryset = district_list()
        self.fields["district"].required = False
        self.fields["park"].queryset = park_list()
        self.fields["chain"].queryset = Chain.objects.all()
        self.fields["node"].queryset = ChainNode.objects.select_related("chain").order_by(
            "chain", "position"
        )
        self.fields["official"].queryset = User.objects.filter(
            is_active=True, role__in=(Role.OFFICER, Role.STAFF, Role.LEADER, Role.DISTRICT)
        ).order_by("role", "username")
        project = self.instance
        if project.pk:
            self.initial.setdefault("owner", project.enterprise.uscc if project.enterprise else "")
            self.initial.setdefault("planned_wan", wan(project.planned_investment))
            self.initial.setdefault("equipment_wan", wan(project.equipment_planned))
        for stage, label in ProjectStage.choices:
            step = None
            if project.pk:
                step = next((s for s in project.steps.all() if s.stage == stage), None)
            self.fields[f"planned_{stage}"] = forms.DateField(
                label=_("%(stage)s: planned") % {"stage": label},
                required=False,
                widget=DATE,
                initial=step.planned_on if step else None,
            )
            self.fields[f"reached_{stage}"] = forms.DateField(
                label=_("%(stage)s: reached") % {"stage": label},
                required=False,
                widget=DATE,
                initial=step.reached_on if step else None,
            )

    def clean_owner(self) -> Enterprise | None:
        text = (self.cleaned_data.get("owner") or "").strip()
        if not text:
            return None
        found = list(enterprise_scope(self.user).filter(Q(uscc=text.upper()) | Q(name=text))[:2])
        if len(found) != 1:
            raise ValidationError(_("No enterprise in your part of the archive has this name."))
        return found[0]

    def clean(self):
        data = super().clean()
        planned, equipment = data.get("planned_wan"), data.get("equipment_wan")
        if planned is not None and equipment is not None and equipment > planned:
            self.add_error("equipment_wan", _("Equipment is part of the planned investment."))
        if not data.get("district") and not data.get("owner"):
            self.add_error("district", _("Name the owner enterprise or the district."))
        return data

    def service_data(self) -> dict:
        data = {key: self.cleaned_data.get(key) for key in self.Meta.fields}
        data["enterprise"] = self.cleaned_data.get("owner")
        data["planned_investment"] = from_wan(self.cleaned_data.get("planned_wan"))
        data["equipment_planned"] = from_wan(self.cleaned_data.get("equipment_wan"))
        if not data["code"]:
            data.pop("code")
        if data["district"] is None:
            data.pop("district")
        return data

    def steps(self) -> dict[str, tuple[dt.date | None, dt.date | None]]:
        return {
            stage: (
                self.cleaned_data.get(f"planned_{stage}"),
                self.cleaned_data.get(f"reached_{stage}"),
            )
            for stage in STAGE_ORDER
        }

    def main_fields(self):
        """The fields but the stages' dates (which the template lays out as a table)."""
        stage_dates = {
            f"{kind}_{stage}" for kind in ("planned", "reached") for stage in STAGE_ORDER
        }
        return [f for f in self.visible_fields() if f.name not in stage_dates]

    def stage_rows(self):
        """The stage date fields in pairs, for the template's table."""
        return [
            (label, self[f"planned_{stage}"], self[f"reached_{stage}"])
            for stage, label in ProjectStage.choices
        ]


class MonthForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=MONTH)
    planned_wan = _wan(_("Planned this month (10k yuan)"))
    completed_wan = _wan(_("Completed this month (10k yuan)"))
    equipment_wan = _wan(_("Of which equipment (10k yuan)"))
    progress = forms.CharField(
        label=_("What was done"), required=False, max_length=500, widget=forms.TextInput()
    )

    def service_data(self) -> dict:
        return {
            "planned": from_wan(self.cleaned_data.get("planned_wan")),
            "completed": from_wan(self.cleaned_data.get("completed_wan")),
            "equipment": from_wan(self.cleaned_data.get("equipment_wan")),
            "progress": (self.cleaned_data.get("progress") or "").strip(),
        }


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "done_on", "note"]
        widgets = {"due_on": DATE, "done_on": DATE}


class LandForm(forms.Form):
    month = forms.DateField(label=_("Month"), input_formats=["%Y-%m"], widget=MONTH)
    planned_mu = forms.DecimalField(label=_("Planned (mu)"), min_value=0, decimal_places=2)
    developed_mu = forms.DecimalField(label=_("Developed (mu)"), min_value=0, decimal_places=2)
    occupied_mu = forms.DecimalField(label=_("Occupied (mu)"), min_value=0, decimal_places=2)


class BuildingForm(forms.ModelForm):
    ordered_by_name = forms.CharField(
        label=_("Built to order for"),
        required=False,
        help_text=_("订单式: the credit code or full name of the enterprise it is built for."),
    )
    occupant_name = forms.CharField(
        label=_("Occupant"),
        required=False,
        help_text=_("Credit code or full name; required when allocated or occupied."),
    )

    class Meta:
        model = Building
        fields = [
            "name",
            "area",
            "floors",
            "load",
            "status",
            "occupancy",
            "completed_on",
            "occupied_since",
        ]
        widgets = {"completed_on": DATE, "occupied_since": DATE}

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        building = self.instance
        if building.pk:
            self.initial.setdefault(
                "ordered_by_name", building.ordered_by.uscc if building.ordered_by else ""
            )
            self.initial.setdefault(
                "occupant_name", building.occupant.uscc if building.occupant else ""
            )

    def _enterprise(self, key: str) -> Enterprise | None:
        text = (self.cleaned_data.get(key) or "").strip()
        if not text:
            return None
        found = list(Enterprise.objects.filter(Q(uscc=text.upper()) | Q(name=text))[:2])
        if len(found) != 1:
            raise ValidationError(_("No enterprise of the archive has this name or credit code."))
        return found[0]

    def clean_ordered_by_name(self):
        return self._enterprise("ordered_by_name")

    def clean_occupant_name(self):
        return self._enterprise("occupant_name")

    def service_data(self) -> dict:
        data = {key: self.cleaned_data.get(key) for key in self.Meta.fields}
        data["ordered_by"] = self.cleaned_data.get("ordered_by_name")
        data["occupant"] = self.cleaned_data.get("occupant_name")
        return data
