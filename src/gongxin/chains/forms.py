"""Forms of the structure editor: each cleans what an official types (codes and keywords
as one line, separated by commas, 、 or spaces) and hands it to a service."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongxin.chains.choices import BottleneckStatus, NodeKind, ProspectStage, Segment
from gongxin.chains.models import (
    ApplicationField,
    Bottleneck,
    Chain,
    ChainNode,
    Platform,
    Prospect,
    TechTask,
)
from gongxin.core.choices import Role
from gongxin.core.models import Department, User
from gongxin.core.units import WAN
from gongxin.enterprises.models import Enterprise

_SEPARATORS = re.compile(r"[,，、;；\s]+")


class WordsField(forms.CharField):
    """A list of words typed on one line."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return "、".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value):
        text = super().to_python(value)
        words = [w for w in _SEPARATORS.split(text or "") if w]
        return list(dict.fromkeys(words))


class IndustryCodesField(WordsField):
    def to_python(self, value):
        codes = super().to_python(value)
        wrong = [c for c in codes if not re.fullmatch(r"\d{2,4}", c)]
        if wrong:
            raise forms.ValidationError(
                _("Industry codes are 2 to 4 digits of GB/T 4754-2017; not: %(codes)s")
                % {"codes": "、".join(wrong)}
            )
        return codes


class NodeChoiceField(forms.ModelChoiceField):
    """A node of one chain, shown indented by its depth."""

    def __init__(self, chain: Chain, **kwargs):
        nodes = list(ChainNode.objects.filter(chain=chain).order_by("position", "pk"))
        parents = {n.pk: n.parent_id for n in nodes}

        def depth(pk):
            d = 0
            while parents.get(pk):
                pk, d = parents[pk], d + 1
            return d

        self._depths = {n.pk: depth(n.pk) for n in nodes}
        super().__init__(ChainNode.objects.filter(chain=chain).order_by("position", "pk"), **kwargs)

    def label_from_instance(self, node):
        return "　" * self._depths.get(node.pk, 0) + node.name


class NodeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=NodeKind.choices)
    industry_codes = IndustryCodesField(
        label=_("Industry codes"), help_text=_("GB/T 4754-2017 classes, e.g. 3976、3974")
    )
    keywords = WordsField(
        label=_("Keywords"),
        help_text=_("Words in products or business scope that place an enterprise here"),
    )
    key_link = forms.BooleanField(label=_("Key link"), required=False)
    bottleneck = forms.BooleanField(label=_("Choke-point node"), required=False)


class NodeCreateForm(NodeForm):
    field_order = ["parent", "segment", "name", "kind"]

    segment = forms.ChoiceField(
        label=_("Segment"),
        choices=Segment.choices,
        help_text=_("For a top node; a node below another lies in its segment"),
    )

    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = NodeChoiceField(
            chain, label=_("Under"), required=False, empty_label=_("(top of a segment)")
        )
        self.order_fields(self.field_order)


class NodeMoveForm(forms.Form):
    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = NodeChoiceField(
            chain, label=_("Move under"), required=False, empty_label=_("(top of a segment)")
        )


class NodeMergeForm(forms.Form):
    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"] = NodeChoiceField(chain, label=_("Merge into"))


class NodeDeleteForm(forms.Form):
    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reassign_to"] = NodeChoiceField(
            chain,
            label=_("Move its enterprises to"),
            required=False,
            empty_label=_("(no enterprises to move)"),
        )


class SupplyLinkForm(forms.Form):
    def __init__(self, *args, chain: Chain, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supplier"] = NodeChoiceField(chain, label=_("Supplier node"))
        self.fields["customer"] = NodeChoiceField(chain, label=_("Customer node"))


class EnterpriseRefField(forms.CharField):
    """An enterprise of the archive, typed as its credit code or its exact name."""

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("Unified social credit code or exact name"))
        super().__init__(**kwargs)
        self.queryset = queryset

    def prepare_value(self, value):
        if isinstance(value, int):
            value = Enterprise.objects.filter(pk=value).first()
        return value.name if isinstance(value, Enterprise) else value

    def clean(self, value):
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        found = (self.queryset if self.queryset is not None else Enterprise.objects.all()).filter(
            Q(uscc=text.upper()) | Q(name=text)
        )
        match = found.first()
        if match is None:
            raise forms.ValidationError(
                _("No enterprise of the archive has the credit code or name “%(text)s”.")
                % {"text": text}
            )
        return match


class NodesField(forms.ModelMultipleChoiceField):
    """Several nodes of one chain, indented by depth."""

    def __init__(self, chain: Chain, **kwargs):
        self._node_field = NodeChoiceField(chain)
        super().__init__(self._node_field.queryset, **kwargs)
        self.widget.attrs.setdefault("size", 10)

    def label_from_instance(self, node):
        return self._node_field.label_from_instance(node)


class TargetsField(forms.CharField):
    """A technology task's targets, one year a line: “2026：样机验证”."""

    widget = forms.Textarea(attrs={"rows": 4})

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("One year a line, e.g. 2026：样机验证"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{year}：{text}" for year, text in sorted(value.items()))
        return value

    def clean(self, value):
        targets: dict[int, str] = {}
        for number, line in enumerate((super().clean(value) or "").splitlines(), 1):
            if not line.strip():
                continue
            match = re.fullmatch(r"\s*(\d{4})\s*年?\s*[：:]\s*(.+?)\s*", line)
            if not match:
                raise forms.ValidationError(
                    _("Line %(n)d: write the year, a colon and the target, e.g. 2026：样机验证")
                    % {"n": number}
                )
            year = int(match.group(1))
            if year in targets:
                raise forms.ValidationError(
                    _("Line %(n)d: the year %(year)d is given twice.") % {"n": number, "year": year}
                )
            targets[year] = match.group(2)[:200]
        return targets


def _item_form(model, fields, **extra):
    return type(
        f"{model.__name__}Form",
        (ChainItemForm,),
        {"Meta": type("Meta", (), {"model": model, "fields": fields}), **extra},
    )


class ChainItemForm(forms.ModelForm):
    """An item of a chain's lists; its nodes are the chain's, its enterprise typed."""

    def __init__(self, *args, chain: Chain, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chain = chain
        if "node" in self.fields:
            self.fields["node"] = NodeChoiceField(
                chain,
                label=self.fields["node"].label,
                required=False,
                empty_label=_("(the whole chain)"),
            )
        if "enterprise" in self.fields:
            self.fields["enterprise"] = EnterpriseRefField(
                queryset=enterprises, label=self.fields["enterprise"].label
            )
        if "owner" in self.fields:
            self.fields["owner"].queryset = Department.objects.order_by("kind", "sort_order")
        if "official" in self.fields:
            self.fields["official"].queryset = (
                User.objects.filter(is_active=True)
                .exclude(role=Role.ENTERPRISE)
                .order_by("display_name", "username")
            )
        if self._nodes:
            self.fields["nodes"] = NodesField(
                chain,
                label=self._nodes_label,
                required=self._nodes_required,
                initial=list(self.instance.nodes.all()) if self.instance.pk else [],
            )
        if self._targets:
            self.fields["targets"] = TargetsField(
                label=_("Targets by year"),
                initial=dict(self.instance.targets.values_list("year", "target"))
                if self.instance.pk
                else {},
            )

    _nodes = False
    _nodes_required = False
    _nodes_label = _("Nodes to fill")
    _targets = False

    def save(self, commit=True):
        """Refused: items are written by `services.chain_item_save`, which checks the
        chain's scope and audits; saving the form directly would bypass both."""
        raise RuntimeError("Save chain items with services.chain_item_save.")


PlatformForm = _item_form(
    Platform, ["name", "kind", "level", "node", "enterprise", "host", "recognised_in"]
)
TechTaskForm = _item_form(
    TechTask,
    ["name", "kind", "node", "owner", "enterprise", "deadline", "status", "description"],
    _targets=True,
)


def _resolved_on(form):
    """A resolved bottleneck is resolved on a day (today unless given); an open one not."""
    data = forms.ModelForm.clean(form)
    if data.get("status") == BottleneckStatus.RESOLVED:
        data["resolved_on"] = data.get("resolved_on") or timezone.localdate()
    else:
        data["resolved_on"] = None
    return data


BottleneckForm = _item_form(
    Bottleneck,
    ["title", "kind", "node", "owner", "deadline", "status", "resolved_on", "description"],
    clean=_resolved_on,
)
ApplicationFieldForm = _item_form(
    ApplicationField,
    ["name", "description", "position"],
    _nodes=True,
    _nodes_required=True,
    _nodes_label=_("Nodes serving it"),
)


class _RevenueInWan(forms.DecimalField):
    """Revenue typed in 万元, as officials speak of it; kept in yuan."""

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return (value / WAN).quantize(Decimal("0.01"))
        return value

    def clean(self, value):
        amount = super().clean(value)
        return None if amount is None else amount * WAN


def _prospect_init(form, *args, **kwargs):
    ChainItemForm.__init__(form, *args, **kwargs)
    form.fields["revenue"] = _RevenueInWan(
        label=_("Operating revenue (10k yuan)"), required=False, min_value=0, decimal_places=2
    )


ProspectForm = _item_form(
    Prospect,
    ["name", "province", "city", "size_class", "revenue", "products", "source", "official"],
    _nodes=True,
    _nodes_required=True,
    __init__=_prospect_init,
)


#: The items of a chain's lists by the name the URLs and the API give them.
ITEM_FORMS = {
    "platforms": (Platform, PlatformForm),
    "technologies": (TechTask, TechTaskForm),
    "bottlenecks": (Bottleneck, BottleneckForm),
    "fields": (ApplicationField, ApplicationFieldForm),
    "prospects": (Prospect, ProspectForm),
}


class ProspectAdvanceForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=ProspectStage.choices)
    on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    enterprise = EnterpriseRefField(
        label=_("Enterprise in the city"),
        help_text=_("When landed: its unified social credit code or exact name"),
    )


class ChainFileForm(forms.Form):
    file = forms.FileField(
        label=_("Structure file"),
        help_text=_("XLSX as exported (sheets 产业链, 环节, 供应关系) or JSON"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".json")):
            raise forms.ValidationError(
                _("%(name)s is neither an XLSX nor a JSON file.") % {"name": upload.name}
            )
        return upload


def json_document(upload) -> dict:
    """The JSON document of an uploaded file, or a ValidationError saying where it breaks."""
    import json

    try:
        return json.loads(upload.read().decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise forms.ValidationError(
            _("%(name)s is not UTF-8 text.") % {"name": upload.name}
        ) from exc
    except json.JSONDecodeError as exc:
        raise forms.ValidationError(
            _("%(name)s, line %(line)d, column %(column)d: not valid JSON (%(error)s).")
            % {"name": upload.name, "line": exc.lineno, "column": exc.colno, "error": exc.msg}
        ) from exc
