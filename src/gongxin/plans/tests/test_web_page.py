"""A plan published on a government website, as officials save it: the page's tools and
footer, a covering notice whose document title has no book-title marks, the signature
and "（此件主动公开）" before the document itself; and the command line's JSON of it."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from gongxin.plans.parser import parse
from gongxin.plans.reading import read

PAGE = Path(__file__).with_name("fixtures") / "gov-page.html"


def _parsed():
    with open(PAGE, "rb") as handle:
        return parse(read(handle, name=PAGE.name))


def test_the_notice_and_the_page_are_not_the_plan():
    plan = _parsed()
    assert plan.title == "南昌市推进工业园区提质增效行动方案"
    assert (str(plan.date), plan.author, plan.number) == (
        "2023-03-10",
        "南昌市人民政府办公室",
        "洪府办发〔2023〕12号",
    )
    assert plan.preamble == "为推动工业园区高质量发展，制定本方案。"
    assert [(t.marker, t.title) for t in plan.tasks] == [
        ("一、", "主要目标"),
        ("二、", "重点任务"),
        ("三、", "保障措施"),
    ]
    assert [c.title for c in plan.tasks[2].children] == ["加强组织领导", "强化考核激励"]
    text = "\n".join(t.text for t in plan.walk())
    for furniture in ("分享到", "打印本页", "主办单位", "ICP备", "浏览次数", "当前位置"):
        assert furniture not in text


@pytest.mark.django_db
def test_the_json_names_every_owner_lead_first(city, capsys):
    call_command("plan", "import", str(PAGE), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    first = data["tasks"][1]["children"][0]
    assert first["title"] == "提升园区承载能力"
    assert first["owners"] == ["各县区政府", "市工信局"]
    assert (first["lead"], first["co_owners"]) == ("各县区政府", ["市工信局"])
    assert first["deadline"] == "2024-12-31"
    second = data["tasks"][1]["children"][1]
    assert (second["deadline"], second["ongoing"]) == (None, True)
