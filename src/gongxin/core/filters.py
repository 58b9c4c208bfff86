import django_filters
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from gongxin.core.choices import AuditAction
from gongxin.core.models import AuditEntry


class SortFilter(django_filters.OrderingFilter):
    """The sort menu of a list: each field named in the reader's language, ascending then
    descending, and “default order” when none is chosen. Every field needs its label
    (`field_labels`): a label made from the parameter would be English."""

    # formatted lazily: in the language of the request that shows the menu
    ascending_fmt = _("{label}, ascending")
    descending_fmt = _("{label}, descending")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Sort"))
        kwargs.setdefault("empty_label", _("Default order"))
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        missing = [field for field in fields if field not in labels]
        if missing:
            raise ImproperlyConfigured(f"SortFilter: no label for {', '.join(missing)}")
        choices = []
        for field, param in fields.items():
            label = labels[field]
            choices.append((param, format_lazy(self.ascending_fmt, label=label)))
            choices.append((f"-{param}", format_lazy(self.descending_fmt, label=label)))
        return choices


class AuditEntryFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="icontains", label=_("User")
    )
    action = django_filters.ChoiceFilter(
        choices=AuditAction.choices, label=_("Action"), empty_label=_("All actions")
    )
    object_type = django_filters.CharFilter(label=_("Object type"))
    object_id = django_filters.CharFilter(label=_("Object id"))
    q = django_filters.CharFilter(
        field_name="object_repr", lookup_expr="icontains", label=_("Object")
    )
    since = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "object_type", "object_id", "q", "since", "until"]
