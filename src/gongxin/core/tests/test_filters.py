"""The sort menus of the lists and the empty choice of a select speak the reader's language."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from gongxin.alerts.filters import AlertFilterSet
from gongxin.core.filters import SortFilter
from gongxin.enterprises.filters import EnterpriseFilterSet
from gongxin.policies.filters import PolicyFilterSet
from gongxin.projects.filters import ProjectFilterSet

LATIN = re.compile(r"[A-Za-z]")
SORTED_LISTS = [AlertFilterSet, EnterpriseFilterSet, PolicyFilterSet, ProjectFilterSet]


def sort_choices(filterset_class) -> list[tuple[str, str]]:
    field = filterset_class.base_filters["sort"].field
    return [(value, str(label)) for value, label in field.choices]


@pytest.mark.parametrize("filterset_class", SORTED_LISTS, ids=lambda c: c.__name__)
def test_every_sort_choice_is_in_chinese(filterset_class):
    with translation.override("zh-hans"):
        choices = sort_choices(filterset_class)
    assert choices[0] == ("", "默认排序")
    assert len(choices) > 2
    for value, label in choices[1:]:
        assert not LATIN.search(label), (value, label)
        assert label.endswith("（降序）" if value.startswith("-") else "（升序）"), (value, label)


def test_every_sort_choice_is_in_english_when_asked():
    with translation.override("en"):
        choices = dict(sort_choices(PolicyFilterSet))
    assert choices["effective_from"] == "In force from, ascending"
    assert choices["-title"] == "Title, descending"


def test_a_sort_field_without_a_label_is_refused():
    with pytest.raises(ImproperlyConfigured, match="no label for uscc"):
        SortFilter(fields=(("name", "name"), ("uscc", "uscc")), field_labels={"name": "x"})


def test_a_select_left_empty_asks_to_choose_in_the_readers_language():
    from gongxin.policies.forms import PlanItemForm

    with translation.override("zh-hans"):
        html = str(PlanItemForm()["kind"])
    assert "---------" not in html
    assert '<option value="" selected>— 请选择 —</option>' in html
    with translation.override("en"):
        assert '<option value="" selected>— choose —</option>' in str(PlanItemForm()["kind"])
