"""End-to-end: division staff import a plan document from the menu, correct the split in
the preview (merge an item into the one before, without reloading the page), save it,
confirm the proposals and issue it; the lead department finds its task and files a
report with evidence; the plan page then shows it. Headless Chromium (Debian's package,
through Playwright), no JavaScript errors."""

from pathlib import Path

import pytest

from gongxin.core.choices import Role
from gongxin.core.models import Department
from gongxin.core.tests.factories import UserFactory
from gongxin.core.tests.test_browser import _login, page  # noqa: F401  (fixture)
from gongxin.plans.models import Plan, Report, Task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DIGITAL = Path(__file__).resolve().parents[1] / "data" / "digital-2026.md"


def test_import_correct_issue_and_report(city, page, live_server, tmp_path):  # noqa: F811
    UserFactory(username="chushi", role=Role.STAFF, password="Staff-pass-2026")
    UserFactory(
        username="xxhc",
        role=Role.DEPARTMENT,
        password="Dept-pass-2026",
        department=Department.objects.get(code="xxhc"),
    )
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    _login(page, live_server, "chushi", "Staff-pass-2026")
    page.click("nav.menu >> text=计划落实")
    page.click("text=导入计划文件")
    page.set_input_files("input[type=file]", str(DIGITAL))
    page.click("button:has-text('读取文件')")
    page.wait_for_selector("h1:has-text('核对拆分结果')")
    assert page.input_value("input[name=title]") == "南昌市制造业数字化转型行动方案（2026—2027年）"

    # merge the second run-in item of 三、保障措施 into the first, in place (htmx)
    row = page.locator("#draft-tree tr", has=page.locator("input[value='加大政策支持']"))
    row.locator("button[value=merge]").click()
    page.wait_for_function("!document.querySelector(\"#draft-tree input[value='加大政策支持']\")")
    assert "四是" not in page.inner_text("#draft-tree")  # 四是 became 三是
    page.click("button:has-text('保存为计划')")
    page.wait_for_selector("text=计划已保存")
    plan = Plan.objects.get()
    assert plan.tasks.filter(is_leaf=True).count() == 16

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('确认全部建议')")
    page.wait_for_selector("text=已确认各任务的识别建议")
    # the seed's own measures name no owner: give one to each before issuing
    for task in Task.objects.filter(plan=plan, is_leaf=True, lead=None, owners_text=""):
        task.lead = Department.objects.get(code="ghc")
        task.save(update_fields=["lead"])
    page.click("button:has-text('下达')")
    page.wait_for_selector("text=计划已下达")
    page.click("form.inline button.link")  # log out

    _login(page, live_server, "xxhc", "Dept-pass-2026")
    page.click("nav.menu >> text=计划落实")
    page.click("nav.tabs >> text=任务")
    page.click("text=培育壮大工业互联网平台")
    evidence = tmp_path / "会议纪要.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% minutes\n%%EOF\n")
    page.fill("textarea[name=text]", "完成二级节点遴选，两家企业签约。")
    page.fill("input[name=progress]", "40")
    page.set_input_files("input[name=files]", str(evidence))
    page.click("button:has-text('报送进展')")
    page.wait_for_selector("text=进展已报送")
    assert "会议纪要.pdf" in page.inner_text("#reports")
    report = Report.objects.get()
    assert report.progress == 40 and report.attachments.count() == 1
    page.click("text=" + plan.title[:20])
    assert "40%" in page.inner_text("main")
    assert errors == []
