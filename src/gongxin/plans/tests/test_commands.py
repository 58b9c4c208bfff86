"""`gongxin plan import FILE [--dry-run] [--json]` — the command-line contract: exit 0 on
success, 1 with a clear message when the file cannot be read at all; --dry-run saves
nothing; --json prints the parsed plan (title, date, author, tasks with number, title,
text, owners, deadline, children); a document without numbering imports with a warning.
And `gongxin sla`, which supervises the plans' tasks along with the demands."""

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory
from gongxin.plans import services
from gongxin.plans.models import Plan, TaskNotice

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = DATA / "nanchang-2022.md"


def test_the_seed_as_json(city, capsys):
    call_command("plan", "import", str(SEED), "--dry-run", "--json")
    data = json.loads(capsys.readouterr().out)
    assert (data["title"], data["date"], data["author"]) == (
        "全力推动南昌工业高质量跨越式发展实现新突破",
        "2022-01-17",
        "唐艳华",
    )
    assert [t["number"] for t in data["tasks"]] == ["一", "二", "三", "四"]
    assert [len(t["children"]) for t in data["tasks"]] == [3, 3, 3, 3]
    first = data["tasks"][0]["children"][0]
    assert set(first) >= {"number", "title", "text", "owners", "deadline", "children"}
    assert (first["number"], first["title"]) == ("一", "坚决拥护“两个确立”")
    assert first["text"].startswith("坚决拥护“两个确立”。深刻认识")
    assert (first["owners"], first["deadline"], first["children"]) == ([], None, [])
    assert not Plan.objects.exists()


def test_a_dry_run_prints_the_tree_and_saves_nothing(city, capsys):
    call_command("plan", "import", str(DATA / "work-points-2026.txt"), "--dry-run")
    out = capsys.readouterr().out
    assert "2026年全市工业和信息化工作要点" in out
    assert "（一） 全力稳住工业经济运行" in out
    assert "6 sections, 17 tasks to report on." in out
    assert not Plan.objects.exists()


def test_without_dry_run_the_plan_is_saved_as_a_draft(city, capsys):
    UserFactory(username="chu", role=Role.STAFF)
    call_command("plan", "import", str(DATA / "digital-2026.md"), "--user", "chu")
    plan = Plan.objects.get()
    assert plan.status == "draft" and plan.created_by.username == "chu"
    assert plan.tasks.filter(is_leaf=True, confirmed=False).count() == 17
    assert f"Saved as plan {plan.pk} (draft)" in capsys.readouterr().out


def test_only_staff_save_plans(city):
    UserFactory(username="qy", role=Role.DEPARTMENT, department=city.departments["rsj"])
    with pytest.raises(CommandError, match="not an active division staff"):
        call_command("plan", "import", str(SEED), "--user", "qy")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("empty.txt", b"", "是空文件"),  # the messages speak Chinese
        ("photo.md", bytes(range(256)) * 40, "既不是文本文件"),
        ("plan.pdf", b"%PDF-1.7\n garbage", "无法作为 PDF 读取"),
        ("plan.docx", b"PK\x03\x04garbage", "Word"),
    ],
)
def test_a_file_that_cannot_be_read_exits_1_with_the_reason(
    city, tmp_path, capsys, name, content, says
):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SystemExit) as exited:
        call_command("plan", "import", str(path), "--dry-run")
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert name in err and says in err
    assert not Plan.objects.exists()


def test_a_missing_file_exits_1(city, tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        call_command("plan", "import", str(tmp_path / "nowhere.txt"), "--dry-run")
    assert exited.value.code == 1
    assert "no such file" in capsys.readouterr().err


def test_a_document_without_numbering_is_one_task_per_paragraph_with_a_warning(
    city, tmp_path, capsys
):
    path = tmp_path / "notes.txt"
    path.write_text(
        "今年工作安排\n\n加快推进技术改造，支持企业更新设备。\n\n做好中小企业服务工作。\n",
        encoding="gb18030",
    )
    call_command("plan", "import", str(path), "--dry-run", "--json")
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert [t["title"] for t in data["tasks"]] == [
        "加快推进技术改造，支持企业更新设备",
        "做好中小企业服务工作",
    ]
    assert "notes.txt: 未识别出编号" in captured.err


def test_sla_supervises_the_plans_tasks(city, capsys):
    staff = UserFactory(username="chu", role=Role.STAFF)
    with open(DATA / "digital-2026.md", "rb") as handle:
        plan = services.plan_import(actor=staff, fileobj=handle, name="digital-2026.md")
    services.tasks_confirm(actor=staff, plan=plan)
    for task in plan.tasks.filter(is_leaf=True, lead=None, owners_text=""):
        services.task_assign(
            actor=staff, task=task, title=task.title, lead=city.departments["ghc"], partners=[]
        )
    services.plan_issue(actor=staff, plan=plan)
    late = plan.tasks.get(title="培育壮大工业互联网平台")
    late.deadline = timezone.localdate() - dt.timedelta(days=2)
    late.save(update_fields=["deadline"])
    call_command("sla")
    out = capsys.readouterr().out
    overdue = plan.tasks.filter(is_leaf=True, deadline__lt=timezone.localdate()).count()
    assert f"tasks\toverdue\t{overdue}" in out
    assert TaskNotice.objects.filter(task=late, kind="overdue").count() == 1
    call_command("sla")
    assert "0 task notices" in capsys.readouterr().out
