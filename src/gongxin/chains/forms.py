"""Forms of the structure editor: each cleans what an official types (codes and keywords
as one line, separated by commas, 、 or spaces) and hands it to a service."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from gongxin.chains.choices import NodeKind, Segment
from gongxin.chains.models import Chain, ChainNode

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
    bottleneck = forms.BooleanField(label=_("Bottleneck"), required=False)


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
