"""What a task's text proposes: owners, co-owners, a deadline, numeric targets and the
chains or kinds of project it names. Plain Python: the vocabulary is built here the way
`selectors.vocabulary` builds it from the demo city's departments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from gongxin.plans import reading
from gongxin.plans.parser import parse
from gongxin.plans.proposals import (
    Deadline,
    Named,
    Vocabulary,
    deadline_of,
    owners_of,
    propose,
    targets_of,
)

DATA = Path(__file__).resolve().parents[1] / "data"


def department(ref: str, name: str, short: str, without_city: str = "") -> Named:
    return Named("department", ref, name, (name, short, without_city))


VOCABULARY = Vocabulary(
    departments=[
        department("xxhc", "市工信局信息化推进处", "信息化处"),
        department("yxc", "市工信局运行监测协调处", "运行监测协调处"),
        department("zxqyc", "市工信局中小企业发展处", "中小企业处"),
        department("dzxxc", "市工信局电子信息产业处", "电子信息处"),
        department("kjj", "南昌市科学技术局", "市科技局", "市科学技术局"),
        department("czj", "南昌市财政局", "市财政局", "市财政局"),
    ],
    links=[
        Named("chain", "vr", "VR（虚拟现实）", ("VR（虚拟现实）", "VR", "虚拟现实")),
        Named("chain", "aviation", "航空", ("航空",)),
        Named(
            "project_type",
            "smart_factory",
            "5G+智慧工厂",
            ("5G+智慧工厂", "5G+智能工厂", "智慧工厂"),
        ),
        Named("policy", "p7", "南昌市工业高质量发展若干政策措施", ("工业高质量发展若干政策措施",)),
    ],
    indicators=[
        Named("indicator", "revenue", "规上工业营业收入", ("规上工业营业收入", "营业收入", "营收")),
        Named("indicator", "added", "规上工业增加值", ("规上工业增加值", "工业增加值")),
    ],
)


# ---------------------------------------------------------------------------------------
# Owners


def test_the_first_of_a_list_of_owners_leads_and_the_rest_co_operate():
    proposal = propose(
        "开展诊断。（责任单位：市工信局信息化推进处、市财政局、市科技局；完成时限：2026年6月底前）",
        vocabulary=VOCABULARY,
        year=2026,
    )
    assert proposal.owners == ["市工信局信息化推进处"]
    assert proposal.co_owners == ["市财政局", "市科技局"]
    assert proposal.owner_refs == ["xxhc"]
    assert proposal.co_owner_refs == ["czj", "kjj"]
    assert proposal.unknown == []


def test_lead_and_co_operating_labels():
    proposal = propose(
        "推进改造。（牵头单位：市工信局信息化推进处；配合单位：市财政局，市科技局）",
        vocabulary=VOCABULARY,
        year=2026,
    )
    assert (proposal.owners, proposal.co_owners) == (
        ["市工信局信息化推进处"],
        ["市财政局", "市科技局"],
    )
    assert (proposal.owner_refs, proposal.co_owner_refs) == (["xxhc"], ["czj", "kjj"])


def test_several_lead_units_all_lead():
    owners, co_owners = owners_of("（牵头单位：市科技局、市财政局）", VOCABULARY)
    assert (owners, co_owners) == (["市科技局", "市财政局"], [])


def test_divisions_named_by_their_short_names_are_resolved():
    proposal = propose(
        "强化监测。（牵头处室：信息化处；配合处室：运行监测协调处、中小企业处；完成时限：12月底前）",
        vocabulary=VOCABULARY,
        year=2026,
    )
    assert proposal.owners == ["信息化处"]
    assert proposal.co_owners == ["运行监测协调处", "中小企业处"]
    assert proposal.owner_refs == ["xxhc"]
    assert proposal.co_owner_refs == ["yxc", "zxqyc"]


@pytest.mark.parametrize(
    ("written", "ref"),
    [
        ("市工信局信息化推进处", "xxhc"),  # the full name
        ("信息化处", "xxhc"),  # the short name
        ("信息化推进处", "xxhc"),  # the one known name it ends with
        ("南昌市财政局", "czj"),
        ("财政局", "czj"),  # 南昌市财政局 and 市财政局 end with it: one department
        ("市財政局", "czj"),  # traditional characters
        ("科学技术局", "kjj"),
    ],
)
def test_a_written_name_resolves_to_one_department(written, ref):
    found = VOCABULARY.department(written)
    assert found is not None and found.ref == ref


@pytest.mark.parametrize("written", ["处", "工信局", "市工信局", "市住建局", ""])
def test_a_name_that_is_no_department_or_could_be_several_is_not_resolved(written):
    assert VOCABULARY.department(written) is None


def test_the_city_name_in_front_of_a_short_name():
    found = VOCABULARY.department("南昌市科技局")
    assert found is not None and found.ref == "kjj"


def test_owners_that_are_not_departments_are_kept_as_written():
    proposal = propose(
        "遴选示范项目。（责任单位：各县（区）人民政府、各开发区管委会；2026年6月底前）",
        vocabulary=VOCABULARY,
        year=2026,
    )
    assert proposal.owners == ["各县（区）人民政府"]
    assert proposal.co_owners == ["各开发区管委会"]
    assert proposal.owner_refs == [] and proposal.co_owner_refs == []
    assert proposal.unknown == ["各县（区）人民政府", "各开发区管委会"]


def test_a_mix_of_known_and_unknown_owners():
    proposal = propose(
        "推进5G建设。（责任单位：市工信局信息化推进处、南昌供电公司；完成时限：到2027年）",
        vocabulary=VOCABULARY,
        year=2026,
    )
    assert proposal.owner_refs == ["xxhc"]
    assert proposal.co_owners == ["南昌供电公司"]
    assert proposal.co_owner_refs == []
    assert proposal.unknown == ["南昌供电公司"]


def test_departments_mentioned_without_a_label():
    owners, co_owners = owners_of(
        "由市科技局牵头，会同市财政局和信息化处开展项目评审。", VOCABULARY
    )
    assert owners == ["南昌市科学技术局"]
    assert co_owners == ["南昌市财政局", "市工信局信息化推进处"]


def test_a_label_takes_precedence_over_departments_mentioned_in_the_text():
    owners, co_owners = owners_of("会同市财政局开展评审。（责任单位：中小企业处）", VOCABULARY)
    assert (owners, co_owners) == (["中小企业处"], [])


def test_no_owner_named():
    assert owners_of("加强宣传引导，营造良好氛围。", VOCABULARY) == ([], [])
    assert owners_of("会同市财政局开展评审。", Vocabulary()) == ([], [])


def test_a_name_repeated_as_lead_is_not_also_a_co_owner():
    owners, co_owners = owners_of(
        "（牵头单位：市科技局；配合单位：市科技局、市财政局）", VOCABULARY
    )
    assert (owners, co_owners) == (["市科技局"], ["市财政局"])


# ---------------------------------------------------------------------------------------
# Deadlines


@pytest.mark.parametrize(
    ("text", "date", "phrase"),
    [
        ("年底前完成全部改造任务。", dt.date(2025, 12, 31), "年底前"),
        ("到2026年，建成工业互联网平台。", dt.date(2026, 12, 31), "到2026年"),
        ("到2026年底，覆盖率达到百分之七十。", dt.date(2026, 12, 31), "到2026年底"),
        ("6月底前制定保障方案。", dt.date(2025, 6, 30), "6月底前"),
        ("十月底前完成验收。", dt.date(2025, 10, 31), "十月底前"),
        ("2026年6月底前完成评估。", dt.date(2026, 6, 30), "2026年6月底前"),
        ("三季度末前新建成节点。", dt.date(2025, 9, 30), "三季度末前"),
        ("2026年三季度末前新建成节点。", dt.date(2026, 9, 30), "2026年三季度末前"),
        ("上半年组织对接活动。", dt.date(2025, 6, 30), "上半年"),
        ("2026年上半年组织对接活动。", dt.date(2026, 6, 30), "2026年上半年"),
        ("下半年开展督查。", dt.date(2025, 12, 31), "下半年"),
        ("2026年3月15日前报送名单。", dt.date(2026, 3, 15), "2026年3月15日前"),
        ("年内完成立项。", dt.date(2025, 12, 31), "年内"),
    ],
)
def test_a_deadline_is_read_in_the_plans_year(text, date, phrase):
    assert deadline_of(text, year=2025) == Deadline(date, False, phrase)


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("加强安全检查。（长期坚持）", "长期坚持"),
        ("完善公共服务体系。（持续推进）", "持续推进"),
        ("常态化推进入企走访。", "常态化推进"),
    ],
)
def test_ongoing_work_has_no_date(text, phrase):
    assert deadline_of(text, year=2026) == Deadline(None, True, phrase)


def test_of_several_deadlines_the_latest():
    deadline = deadline_of("3月底前启动，9月底前完成建设，年底前组织验收。", year=2026)
    assert deadline == Deadline(dt.date(2026, 12, 31), False, "年底前")
    deadline = deadline_of("到2026年底覆盖率达到70%以上，到2027年底达到85%以上。", year=2026)
    assert deadline == Deadline(dt.date(2027, 12, 31), False, "到2027年底")


def test_the_completion_label_wins_over_dates_in_the_text():
    deadline = deadline_of("年底前全面完成改造。（完成时限：2026年6月底前）", year=2026)
    assert deadline == Deadline(dt.date(2026, 6, 30), False, "2026年6月底前")


def test_a_completion_label_saying_ongoing_wins_over_a_date_in_the_text():
    deadline = deadline_of("2026年6月底前出台方案。（完成时限：长期坚持）", year=2026)
    assert deadline == Deadline(None, True, "长期坚持")


def test_a_date_wins_over_an_ongoing_word_outside_a_label():
    deadline = deadline_of("持续推进技术改造，2026年6月底前完成评估。", year=2026)
    assert deadline == Deadline(dt.date(2026, 6, 30), False, "2026年6月底前")


@pytest.mark.parametrize(
    "text",
    [
        "2026年是“十五五”开局之年。",  # a bare year is no deadline
        "全年规上工业增加值增长8%左右。",
        "2026年2月30日前完成。",  # no such day
        "加强组织领导。",
    ],
)
def test_no_deadline(text):
    assert deadline_of(text, year=2026) is None


def test_a_day_in_the_plans_year():
    assert deadline_of("9月15日前报送申报材料。", year=2026) == Deadline(
        dt.date(2026, 9, 15), False, "9月15日前"
    )


# ---------------------------------------------------------------------------------------
# Targets


def test_a_growth_target_with_its_indicator():
    (target,) = targets_of("营收年均增长9%左右。", VOCABULARY)
    assert target.label == "营收年均增长9%左右"
    assert (target.value, target.unit, target.qualifier) == (Decimal("9"), "%", "左右")
    assert target.indicator == "revenue"


def test_several_targets_in_one_sentence():
    targets = targets_of(
        "全年规上工业增加值增长8%左右，规上工业营业收入增长1.5个百分点，新增规上工业企业200家以上。",
        VOCABULARY,
    )
    assert [(t.label, t.value, t.unit, t.qualifier, t.indicator) for t in targets] == [
        ("全年规上工业增加值增长8%左右", Decimal("8"), "%", "左右", "added"),
        ("规上工业营业收入增长1.5个百分点", Decimal("1.5"), "个百分点", "", "revenue"),
        ("新增规上工业企业200家以上", Decimal("200"), "家", "以上", ""),
    ]


def test_a_target_in_full_width_digits():
    (target,) = targets_of("力争规上工业增加值增长８％左右。", VOCABULARY)
    assert (target.value, target.unit, target.qualifier, target.indicator) == (
        Decimal("8"),
        "%",
        "左右",
        "added",
    )
    assert target.label == "力争规上工业增加值增长８％左右"  # as written


def test_numbers_that_are_not_targets():
    assert targets_of("2026年是开局之年，《方案（2026—2027年）》已印发。", VOCABULARY) == []


# ---------------------------------------------------------------------------------------
# Links to chains, kinds of project and policies


def test_links_to_chains_and_kinds_of_project_by_name():
    proposal = propose(
        "做强VR产业，完善航空装备产业链，建设一批5G+智慧工厂示范项目。",
        vocabulary=VOCABULARY,
        year=2026,
    )
    assert proposal.links == [
        {"kind": "chain", "ref": "vr", "label": "VR（虚拟现实）"},
        {"kind": "chain", "ref": "aviation", "label": "航空"},
        {"kind": "project_type", "ref": "smart_factory", "label": "5G+智慧工厂"},
    ]


def test_a_link_is_named_once_in_order_of_first_mention():
    proposal = propose(
        "推广智慧工厂经验，支持虚拟现实企业发展，落实工业高质量发展若干政策措施，打造VR科创城。",
        vocabulary=VOCABULARY,
        year=2026,
    )
    assert [link["ref"] for link in proposal.links] == ["smart_factory", "vr", "p7"]


def test_full_width_letters_match():
    proposal = propose("支持ＶＲ企业开展应用。", vocabulary=VOCABULARY, year=2026)
    assert [link["ref"] for link in proposal.links] == ["vr"]


def test_an_empty_vocabulary_links_nothing():
    proposal = propose("做强VR产业。", vocabulary=Vocabulary(), year=2026)
    assert proposal.links == [] and proposal.owners == []


# ---------------------------------------------------------------------------------------
# Whole proposals


def test_a_proposal_as_a_dict_is_json_ready():
    proposal = propose(
        "营收增长9%左右。（责任单位：市科技局；完成时限：2026年6月底前）",
        vocabulary=VOCABULARY,
        year=2026,
    )
    data = proposal.as_dict()
    assert data["deadline"] == {"date": "2026-06-30", "ongoing": False, "phrase": "2026年6月底前"}
    assert data["targets"][0]["value"] == "9"
    assert data["owner_refs"] == ["kjj"]


def _tasks(name: str):
    with open(DATA / name, "rb") as handle:
        plan = parse(reading.read(handle, name=name))
    return {node.title: node for node in plan.walk()}, plan


def test_the_digital_plans_tasks():
    tasks, plan = _tasks("digital-2026.md")
    year = plan.date.year
    platform = propose(tasks["培育壮大工业互联网平台"].text, vocabulary=VOCABULARY, year=year)
    assert (platform.owner_refs, platform.co_owner_refs) == (["xxhc"], ["kjj"])
    assert platform.deadline == Deadline(dt.date(2026, 9, 30), False, "2026年三季度末前")
    regions = propose(tasks["打造数字化改造示范项目"].text, vocabulary=VOCABULARY, year=year)
    assert regions.owners == ["各县（区）人民政府"] and regions.owner_refs == []
    assert regions.deadline.date == dt.date(2026, 6, 30)
    security = propose(tasks["筑牢工业数据和网络安全防线"].text, vocabulary=VOCABULARY, year=year)
    assert security.deadline == Deadline(None, True, "长期坚持")
    vr = propose(tasks["做强VR产业支撑能力"].text, vocabulary=VOCABULARY, year=year)
    assert vr.owner_refs == ["dzxxc"] and vr.co_owners == ["市投促局", "市科技局"]
    assert vr.unknown == ["市投促局"]
    assert [link["ref"] for link in vr.links] == ["vr"]


def test_the_work_points_tasks_take_the_plans_year_for_month_deadlines():
    tasks, plan = _tasks("work-points-2026.txt")
    visits = propose(
        tasks["深入开展“大走访大帮扶”活动"].text, vocabulary=VOCABULARY, year=plan.date.year
    )
    assert (visits.owner_refs, visits.co_owner_refs) == (["zxqyc"], ["yxc"])
    assert visits.deadline == Deadline(dt.date(2026, 12, 31), False, "12月底前")
    power = propose(
        tasks["强化用电用工用资要素保障"].text, vocabulary=VOCABULARY, year=plan.date.year
    )
    # 6月底前 and 上半年 in the text; the label says 6月底前.
    assert power.deadline == Deadline(dt.date(2026, 6, 30), False, "6月底前")
