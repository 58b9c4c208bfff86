"""The monthly briefing: its numbers in words, its sentences, the next steps each written
only when the figures call for it, and the Word document and XLSX annexes re-read to
check that they say what the cockpit says."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import docx
import pytest
from openpyxl import load_workbook

from gongxin.chains.models import Chain, ChainNode, ChainTarget
from gongxin.cockpit import briefing
from gongxin.cockpit.selectors import (
    ChainRow,
    Cockpit,
    PlanSummary,
    ProjectSummary,
    cockpit_build,
)
from gongxin.demands.statistics import Row as DemandRow
from gongxin.indicators.figures import Reading
from gongxin.indicators.models import Target
from gongxin.indicators.tests.factories import MARCH

from .conftest import alert_add, month, plan_add

pytestmark = pytest.mark.django_db

D = Decimal

QUIET = ["保持运行平稳。各项指标达到进度要求，继续做好运行监测和企业服务。"]


# --- numbers in words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("growth", "text"),
    [
        (D("5.62"), "同比增长5.6%"),
        (D("-3.14"), "同比下降3.1%"),
        (D(0), "同比持平"),
        (D("0.04"), "同比持平"),  # rounds to 0.0
        (D("-0.04"), "同比持平"),
        (D("0.06"), "同比增长0.1%"),
        (12.5, "同比增长12.5%"),
        (None, "无上年同期可比数据"),
    ],
)
def test_change(growth, text):
    assert briefing.change(growth) == text


def test_the_formats_of_figures():
    assert briefing.yi(None) == "—"
    assert briefing.yi(D(768_000_000)) == "7.68"
    assert briefing.yi(123_456_789_012) == "1,234.57"
    assert briefing.shown(None) == "—"
    assert briefing.shown(D("12.15")) == "12.15"
    assert briefing.shown(D("0.6075")) == "0.61"
    assert briefing.shown(D("12345.678")) == "12,345.68"
    assert briefing.pct(None) == "—"
    assert briefing.pct(D(220) * 100 / D(650)) == "33.8%"
    assert briefing.pct(33.33, places=0) == "33%"
    assert briefing.signed(None) == "—"
    assert briefing.signed(D("12.5")) == "+12.5%"
    assert briefing.signed(D("-2.54")) == "-2.5%"
    assert briefing.signed(D(0)) == "+0.0%"
    assert briefing.months_label(month(2025, 1)) == "1月"
    assert briefing.months_label(MARCH) == "1—3月"


# --- the next steps, rule by rule --------------------------------------------------------------


def quiet(indicators, **changes) -> Cockpit:
    """A cockpit for March 2025 where nothing calls for work: growth on target, chains
    growing without gaps, no project behind, no demand open, no warning, no item late."""
    output = Reading(
        indicator=indicators["output_value"],
        month_value=D(430_000_000),
        month_growth=D(10),
        to_date=D(1_215_000_000),
        to_date_growth=D("12.5"),
        months=3,
        months_before=3,
        target_growth=D("12.5"),  # exactly on target
    )
    revenue = Reading(indicators["revenue"], None, None, D(972_000_000), None, 3, 0, None, D(8))
    values = {
        "month": MARCH,
        "region": None,
        "readings": [output, revenue],
        "trend": {},
        "districts": [],
        "chains": [ChainRow(Chain(code="ev", name="新能源汽车"), D(1), D(2), None, 2, 0)],
        "projects": ProjectSummary(
            total={"projects": 3, "red": 0, "yellow": 1, "green": 2},
            by_stage=[],
            year_planned=D(0),
            year_completed=D(0),
        ),
        "demands": DemandRow(None, "合计", received=5, resolved=5),
        "plans": PlanSummary(plans=1, achieved=0, items=2, items_done=1, items_late=0),
        "alerts": {"no_figures": 3, "project_behind": 2},  # no step of their own
    }
    values.update(changes)
    return Cockpit(**values)


def reading(indicators, code: str, growth, target) -> Reading:
    return Reading(indicators[code], None, None, D(1), growth, 3, 3, None, target)


def chain_row(name: str, growth, gaps: int = 0) -> ChainRow:
    return ChainRow(Chain(code=name, name=name), D(1), growth, None, 1, gaps)


def test_with_nothing_to_do_the_next_step_is_to_keep_things_steady(indicators):
    assert briefing.next_steps(quiet(indicators)) == QUIET


def test_growth_below_target_names_the_headline_indicators_below_it(indicators):
    below = [
        reading(indicators, "output_value", D("9.5"), D(10)),
        reading(indicators, "tax", D(3), D(8)),
        reading(indicators, "revenue", None, D(8)),  # no growth to compare
        reading(indicators, "profit", D(12), D(8)),  # above
        reading(indicators, "profit_margin", D(-5), D(1)),  # not in the headline
    ]
    assert briefing.next_steps(quiet(indicators, readings=below)) == [
        "加强运行调度。规上工业总产值、规上工业税收增速低于年度目标，"
        "逐月跟踪重点企业生产经营，帮助企业稳产增产，力争全年目标完成。"
    ]
    on_target = [reading(indicators, "output_value", D(10), D(10))]
    assert briefing.next_steps(quiet(indicators, readings=on_target)) == QUIET


def test_chains_revenue_falling(indicators):
    chains = [
        chain_row("新能源汽车", D("-3.2")),
        chain_row("电子信息", D(0)),
        chain_row("航空", None),
    ]
    assert briefing.next_steps(quiet(indicators, chains=chains)) == [
        "聚焦重点产业链。新能源汽车产业链营收同比下降，由链长办牵头分析原因、精准施策。"
    ]


def test_chains_gaps(indicators):
    chains = [chain_row("新能源汽车", D(1), gaps=2), chain_row("电子信息", D(1), gaps=1)]
    assert briefing.next_steps(quiet(indicators, chains=chains)) == [
        "强化补链延链。各产业链尚有3个缺链环节，围绕缺链环节开展精准招商。"
    ]


def test_projects_behind(indicators):
    projects = ProjectSummary({"projects": 3, "red": 2}, [], D(0), D(0))
    assert briefing.next_steps(quiet(indicators, projects=projects)) == [
        "推进重点项目建设。对2个滞后项目实行挂图作战、逐一督办，"
        "协调解决要素保障问题，确保按计划推进。"
    ]


@pytest.mark.parametrize(("open_", "overdue"), [(3, 0), (2, 1)])
def test_demands_open_or_overdue(indicators, open_, overdue):
    demands = DemandRow(None, "合计", received=5, resolved=5 - open_, open=open_, overdue=overdue)
    assert briefing.next_steps(quiet(indicators, demands=demands)) == [
        f"抓好诉求闭环办理。督促承办单位办结{open_}件在办诉求，其中{overdue}件已超期，纳入督办。"
    ]


def test_output_and_electricity_warnings(indicators):
    alerts = {"output_drop": 2, "electricity_drop": 1, "no_figures": 4}
    assert briefing.next_steps(quiet(indicators, alerts=alerts)) == [
        "做好企业预警走访。对产值或用电量同比下降超20%的3条预警，由包联干部逐户走访，摸清困难诉求。"
    ]
    only = briefing.next_steps(quiet(indicators, alerts={"electricity_drop": 1}))
    assert only[0].startswith("做好企业预警走访。对产值或用电量同比下降超20%的1条预警")


def test_expiring_qualifications(indicators):
    alerts = {"qualification_expiring": 4}
    assert briefing.next_steps(quiet(indicators, alerts=alerts)) == [
        "做好资质续期服务。提醒4项即将到期资质的企业及时办理复审。"
    ]


def test_late_plan_items(indicators):
    plans = PlanSummary(plans=2, achieved=0, items=6, items_done=2, items_late=2)
    assert briefing.next_steps(quiet(indicators, plans=plans)) == [
        "推进一企一策培育。2项培育措施逾期未完成，责任人限期推进。"
    ]


def test_every_rule_at_once_in_order(indicators):
    cockpit = quiet(
        indicators,
        readings=[reading(indicators, "output_value", D(5), D(10))],
        chains=[chain_row("新能源汽车", D(-1), gaps=1)],
        projects=ProjectSummary({"projects": 1, "red": 1}, [], D(0), D(0)),
        demands=DemandRow(None, "合计", received=1, open=1, overdue=1),
        alerts={"output_drop": 1, "qualification_expiring": 1},
        plans=PlanSummary(plans=1, achieved=0, items=1, items_done=0, items_late=1),
    )
    steps = briefing.next_steps(cockpit)
    assert [s.split("。")[0] for s in steps] == [
        "加强运行调度",
        "聚焦重点产业链",
        "强化补链延链",
        "推进重点项目建设",
        "抓好诉求闭环办理",
        "做好企业预警走访",
        "做好资质续期服务",
        "推进一企一策培育",
    ]


# --- the sentences ---------------------------------------------------------------------------


def test_the_sentences_of_an_empty_month(indicators, city):
    cockpit = quiet(
        indicators,
        readings=[],
        projects=ProjectSummary({"projects": 0}, [], D(0), D(0)),
        demands=DemandRow(None, "合计"),
        plans=PlanSummary(0, 0, 0, 0, 0),
        alerts={},
    )
    assert briefing.headline_sentences(cockpit) == ["1—3月，全市尚无企业报送月度数据。"]
    assert briefing.project_sentence(cockpit) == "暂无纳入调度的重点项目。"
    assert briefing.demand_sentence(cockpit) == "1—3月未受理企业诉求。"
    assert briefing.plan_sentence(cockpit) == "暂无在培育的一企一策计划。"
    assert briefing.alert_sentence(cockpit) == "当前无未解除的运行预警。"
    cockpit.region, cockpit.month = city.regions["360111"], month(2025, 1)
    assert briefing.headline_sentences(cockpit) == ["1月，青山湖区尚无企业报送月度数据。"]


# --- the briefing of a month with everything -------------------------------------------------


@pytest.fixture
def rich(world, indicators, projects, demands, alerts, users):
    """The world with targets, a chain gap, projects, demands, warnings and plans."""
    Target.objects.create(
        indicator=indicators["output_value"], year=2025, level=D(4_860_000_000), growth=D(15)
    )
    ChainTarget.objects.create(chain=world["chain"], year=2025, revenue=D(3_840_000_000))
    ChainNode.objects.create(
        chain=world["chain"], name="电驱动", segment="midstream", kind="component"
    )
    plan_add(
        world["A"],
        items=[("done", month(2025, 2)), ("planned", month(2025, 3)), ("planned", month(2025, 6))],
    )
    return cockpit_build(users["leader"], MARCH, None)


def test_the_sentences_say_the_cockpits_figures(rich):
    assert briefing.headline_sentences(rich) == [
        "1—3月，全市"
        "规上工业总产值12.15亿元，同比增长12.5%，低于年度目标（15.0%）2.5个百分点，"
        "完成年度目标的25.0%；"
        "规上工业营业收入9.72亿元，同比增长12.5%；"
        "规上工业利润总额0.61亿元，同比增长12.5%；"
        "规上工业税收0.36亿元，同比增长12.5%；"
        "规上工业用电量0.12亿千瓦时，同比增长12.5%；"
        "规上工业从业人员（月均）0.04万人，同比增长12.5%。"
    ]
    assert briefing.project_sentence(rich) == (
        "纳入调度的重点项目4个，计划总投资6.50亿元，累计完成投资2.20亿元（33.8%）；"
        "1—3月完成投资0.64亿元，为同期计划的75.3%。按进度评价，正常1个、预警1个、滞后2个。"
    )
    assert briefing.demand_sentence(rich) == (
        "1—3月共受理企业诉求3件，办结1件，办结率33.3%，按时办结率100.0%，满意率100.0%；"
        "尚未办结2件，其中超期2件。"
    )
    assert briefing.plan_sentence(rich) == (
        "在培育企业1家（已实现培育目标0家），培育措施3项、已完成1项（33.3%），逾期未完成1项。"
    )
    assert briefing.alert_sentence(rich) == (
        "当前未解除的运行预警4条：产值同比下降超20%1条，用电量同比下降超20%1条，"
        "项目投资滞后计划超30%1条，资质90天内到期1条。"
    )
    assert [s.split("。")[0] for s in briefing.next_steps(rich)] == [
        "加强运行调度",
        "强化补链延链",
        "推进重点项目建设",
        "抓好诉求闭环办理",
        "做好企业预警走访",
        "做好资质续期服务",
        "推进一企一策培育",
    ]


def docx_of(cockpit, user) -> docx.document.Document:
    out = io.BytesIO()
    briefing.briefing_docx(cockpit, user, out)
    out.seek(0)
    return docx.Document(out)


def table_of(document, first_header: str) -> list[list[str]]:
    """The rows (header first) of the table whose first header is `first_header`."""
    found = [
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in document.tables
        if table.rows[0].cells[0].text == first_header
    ]
    assert len(found) == 1, first_header
    return found[0]


def by_header(rows) -> dict:
    """{first cell: {header: cell}} of a table's or a sheet's rows (header first)."""
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_the_word_document_says_what_the_cockpit_says(rich, users, settings):
    settings.GONGXIN_BUREAU = ""
    document = docx_of(rich, users["leader"])
    texts = [p.text for p in document.paragraphs]

    assert texts[0] == "南昌市工业经济运行简报"
    assert texts[1] == "2025年第3期"
    assert texts[2].startswith("南昌市工业和信息化局")

    indicators = table_of(document, "指标")
    assert indicators[0][:8] == [
        "指标",
        "单位",
        "3月",
        "同比",
        "累计",
        "累计同比",
        "目标增速",
        "目标进度",
    ]
    assert indicators[1:] == briefing.indicator_rows(rich)
    rows = by_header(indicators)
    assert len(rows) == len(rich.readings) == 7
    for r in rich.readings:
        row = rows[r.indicator.name]
        assert row["累计"] == briefing.shown(r.to_date_shown)
        assert row["累计同比"] == briefing.signed(r.to_date_growth)
    output = rows["规上工业总产值"]
    assert {k: output[k] for k in indicators[0][1:8]} == {
        "单位": "亿元",
        "3月": "4.30",
        "同比": "+7.5%",  # March: 430 against 400
        "累计": "12.15",
        "累计同比": "+12.5%",
        "目标增速": "15.0%",
        "目标进度": "25.0%",
    }

    assert table_of(document, "区县")[1:] == [
        ["新建区", "6.30", "+10.5%"],
        ["青山湖区", "5.85", "+14.7%"],
    ]
    chains = table_of(document, "产业链")
    assert chains[1:] == briefing.chain_rows(rich)
    assert chains[1:] == [["新能源汽车", "7.68", "+10.3%", "38.40", "20.0%", "2", "1"]]

    late = table_of(document, "项目")
    assert [row[:4] for row in late[1:]] == [
        ["电池扩产项目", "—", "青山湖区", "2.00"],
        ["零部件新建项目", "—", "新建区", "0.50"],
    ]

    t = rich.projects.total
    assert briefing.project_sentence(rich) in texts
    assert f"纳入调度的重点项目{t['projects']}个" in briefing.project_sentence(rich)
    assert f"滞后{t['red']}个" in briefing.project_sentence(rich)
    demand = next(text for text in texts if "受理企业诉求" in text)
    assert f"共受理企业诉求{rich.demands.received}件，办结{rich.demands.resolved}件" in demand
    assert briefing.plan_sentence(rich) in texts
    assert briefing.alert_sentence(rich) in texts

    warnings = table_of(document, "预警规则")
    labels = dict(briefing.RULE_LABELS)
    assert {row[0]: int(row[1]) for row in warnings[1:]} == {
        labels[code]: rich.alerts.get(code, 0) for code in labels
    }
    assert {row[0]: row[1] for row in warnings[1:]} == {
        "产值同比下降超20%": "1",
        "用电量同比下降超20%": "1",
        "当月未报送数据": "0",
        "项目投资滞后计划超30%": "1",
        "资质90天内到期": "1",
    }

    steps = [text for text in texts if text.startswith("（")]
    assert steps == [
        f"（{'一二三四五六七'[n]}）{step}" for n, step in enumerate(briefing.next_steps(rich))
    ]
    assert len(document.inline_shapes) == 1  # the output chart


def test_a_districts_word_document(world, users, city, settings):
    settings.GONGXIN_BUREAU = "南昌市工业和信息化局办公室"
    cockpit = cockpit_build(users["district"], MARCH, city.regions["360111"])
    document = docx_of(cockpit, users["district"])
    texts = [p.text for p in document.paragraphs]

    assert texts[0] == "青山湖区工业经济运行简报"
    assert texts[1] == "2025年第3期"
    assert texts[2].startswith("南昌市工业和信息化局办公室")
    assert [t.rows[0].cells[0].text for t in document.tables] == ["指标", "产业链", "预警规则"]
    output = by_header(table_of(document, "指标"))["规上工业总产值"]
    assert (output["累计"], output["累计同比"]) == ("5.85", "+14.7%")
    assert table_of(document, "产业链")[1][:3] == ["新能源汽车", "2.64", "+10.0%"]  # A only
    assert "暂无纳入调度的重点项目。" in texts
    assert texts[-2] == "（一）" + QUIET[0]


def test_a_month_without_figures_has_no_chart(users, indicators):
    cockpit = cockpit_build(users["leader"], month(2025, 3), None)
    document = docx_of(cockpit, users["leader"])
    assert len(document.inline_shapes) == 0
    output = by_header(table_of(document, "指标"))["规上工业总产值"]
    assert (output["累计"], output["累计同比"]) == ("—", "—")


def test_a_month_without_figures_says_nobody_reported(users, indicators):
    cockpit = cockpit_build(users["leader"], month(2025, 3), None)
    assert [r.to_date for r in cockpit.headline] == [None] * 6
    assert briefing.headline_sentences(cockpit) == ["1—3月，全市尚无企业报送月度数据。"]


def sheet_rows(book, title: str) -> list[tuple]:
    return [tuple(row) for row in book[title].iter_rows(values_only=True)]


def test_the_annex_says_what_the_cockpit_says(rich, users):
    out = io.BytesIO()
    briefing.briefing_annex(rich, users["leader"], out)
    book = load_workbook(io.BytesIO(out.getvalue()))

    assert book.sheetnames == [
        "主要指标",
        "分区县",
        "重点产业链",
        "滞后项目",
        "企业诉求",
        "运行预警",
    ]
    rows = sheet_rows(book, "主要指标")
    assert rows[0][0] == "南昌市工业经济运行简报附表 · 2025-03"
    by_name = by_header(rows[1:])
    assert len(by_name) == 7
    for r in rich.readings:
        row = by_name[r.indicator.name]
        assert row["累计"] == pytest.approx(float(round(r.to_date_shown, 2)))
        assert row["累计同比（%）"] == pytest.approx(float(round(r.to_date_growth, 1)))
        assert row["累计月数"] == r.months
    output = by_name["规上工业总产值"]
    assert {k: output[k] for k in rows[1][1:10]} == {
        "单位": "亿元",
        "本月": 4.3,
        "本月同比（%）": 7.5,
        "累计": 12.15,
        "累计同比（%）": 12.5,
        "累计月数": 3,
        "目标增速（%）": 15,
        "年度目标": 48.6,
        "目标进度（%）": 25,
    }

    assert sheet_rows(book, "分区县")[2:] == [
        ("新建区", 6.3, 5.7, 10.5),
        ("青山湖区", 5.85, 5.1, 14.7),
    ]
    assert sheet_rows(book, "重点产业链")[2:] == [("新能源汽车", 7.68, 10.3, 38.4, 20, 2, 1)]
    late = sheet_rows(book, "滞后项目")[2:]
    assert [(row[1], row[3], row[5]) for row in late] == [
        ("电池扩产项目", "青山湖区", 20000),
        ("零部件新建项目", "新建区", 5000),
    ]
    demands = dict(sheet_rows(book, "企业诉求")[2:])
    assert demands["受理（件）"] == rich.demands.received == 3
    assert demands["办结（件）"] == rich.demands.resolved == 1
    assert demands["在办（件）"] == rich.demands.open == 2
    assert demands["超期（件）"] == rich.demands.overdue == 2
    warnings = sheet_rows(book, "运行预警")[2:]
    assert sorted(row[0] for row in warnings) == sorted(
        label for code, label in briefing.RULE_LABELS for _ in range(rich.alerts.get(code, 0))
    )
    assert len(warnings) == rich.alerts_total == 4


def test_a_districts_annex_has_no_districts_sheet(world, users, city):
    cockpit = cockpit_build(users["leader"], MARCH, city.regions["360112"])
    out = io.BytesIO()
    briefing.briefing_annex(cockpit, users["leader"], out)
    book = load_workbook(io.BytesIO(out.getvalue()))

    assert book.sheetnames == ["主要指标", "重点产业链", "滞后项目", "企业诉求", "运行预警"]
    assert sheet_rows(book, "主要指标")[0][0] == "新建区工业经济运行简报附表 · 2025-03"
    output = by_header(sheet_rows(book, "主要指标")[1:])["规上工业总产值"]
    assert (output["累计"], output["累计同比（%）"]) == (6.3, 10.5)
    assert briefing.filename(cockpit, ".docx") == "新建区工业经济运行简报-202503.docx"


def test_the_annex_dates_warnings_in_the_citys_time(world, users):
    # raised at 01:30 on 10 March in 南昌 (the daily sweep runs at night)
    alert_add(
        enterprise=world["A"],
        opened_at=dt.datetime(2026, 3, 9, 17, 30, tzinfo=dt.UTC),
        seen_at=dt.datetime(2026, 3, 9, 17, 30, tzinfo=dt.UTC),
    )
    cockpit = cockpit_build(users["leader"], MARCH, None)
    out = io.BytesIO()
    briefing.briefing_annex(cockpit, users["leader"], out)
    [row] = sheet_rows(load_workbook(io.BytesIO(out.getvalue())), "运行预警")[2:]
    assert row[:2] == ("产值同比下降超20%", "A测试制造有限公司")
    assert row[6] == dt.datetime(2026, 3, 10)
