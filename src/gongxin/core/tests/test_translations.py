"""The Simplified Chinese catalog is complete, compiled, and uses the bureau's terms.

The .po file is parsed here directly (no polib, no msgfmt binary needed).
"""

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext, ngettext, pgettext

LOCALE = Path(__file__).resolve().parents[2] / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgstrs(self) -> list[str]:
        return [v for k, v in sorted(self.fields.items()) if k.startswith("msgstr")]


def parse_po(path: Path) -> list[Entry]:
    entries: list[Entry] = []
    entry: Entry | None = None
    key = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            entry, key = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#"):
            continue
        elif match := KEYWORD.match(line):
            key = match[1]
            entry.fields[key] = ast.literal_eval(match[2])
        elif line.startswith('"') and key:
            entry.fields[key] += ast.literal_eval(line)
        else:
            raise AssertionError(f"{path.name}:{number}: cannot parse {raw!r}")
    return entries


def messages(path: Path) -> list[Entry]:
    return [e for e in parse_po(path) if e.msgid and not e.obsolete]


def header(path: Path) -> tuple[Entry, dict[str, str]]:
    first = parse_po(path)[0]
    assert first.msgid == "" and "msgctxt" not in first.fields, "the catalog has no header"
    pairs = (ln.split(":", 1) for ln in first.fields["msgstr"].splitlines() if ":" in ln)
    return first, {k.strip(): v.strip() for k, v in pairs}


def test_zh_hans_header():
    entry, fields = header(ZH_PO)
    assert "fuzzy" not in entry.flags
    assert fields["Language"] == "zh_Hans"
    assert fields["Plural-Forms"] == "nplurals=1; plural=0;"
    assert "charset=UTF-8" in fields["Content-Type"]


def test_en_header():
    entry, fields = header(EN_PO)
    assert "fuzzy" not in entry.flags
    assert fields["Language"] == "en"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert "charset=UTF-8" in fields["Content-Type"]


def test_zh_hans_catalog_is_complete():
    entries = messages(ZH_PO)
    assert len(entries) > 300
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in entries if not e.msgstrs or not all(e.msgstrs)]
    assert not fuzzy, f"fuzzy entries in {ZH_PO.name}: {fuzzy}"
    assert not untranslated, f"untranslated entries in {ZH_PO.name}: {untranslated}"


def test_zh_hans_plural_entries_have_one_form():
    for e in messages(ZH_PO):
        if "msgid_plural" in e.fields:
            assert list(e.fields) == ["msgid", "msgid_plural", "msgstr[0]"], e.msgid


def test_zh_hans_placeholders_are_kept():
    for e in messages(ZH_PO):
        expected = sorted(PLACEHOLDER.findall(e.msgid))
        for s in e.msgstrs:
            assert sorted(PLACEHOLDER.findall(s)) == expected, (e.msgid, s)


def test_compiled_catalog_matches_po():
    """Every msgstr comes back through gettext: the .mo was compiled from this .po."""
    with translation.override("zh-hans"):
        for e in messages(ZH_PO):
            context = e.fields.get("msgctxt")
            if "msgid_plural" in e.fields:
                got = ngettext(e.msgid, e.fields["msgid_plural"], 2)
                assert got == e.fields["msgstr[0]"], e.msgid
            elif context is not None:
                assert pgettext(context, e.msgid) == e.fields["msgstr"], (context, e.msgid)
            else:
                assert gettext(e.msgid) == e.fields["msgstr"], e.msgid


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("Enterprises", "企业档案"),
        ("Enterprise archive", "企业档案"),
        ("Unified social credit code", "统一社会信用代码"),
        ("Legal representative", "法定代表人"),
        ("Above designated size", "规上企业"),
        ("Service officer", "包联干部"),
        ("District or park staff", "区县（园区）工作人员"),
        ("Specialised and sophisticated 'little giant'", "专精特新“小巨人”企业"),
        ("Gross industrial output value", "工业总产值"),
        ("10k kWh", "万千瓦时"),
        ("Audit log", "操作日志"),
        ("Import now", "立即导入"),
        ("Export to XLSX", "导出 Excel"),
        ("Log out", "退出"),
    ],
)
def test_key_terms(msgid, expected):
    with translation.override("zh-hans"):
        assert gettext(msgid) == expected
    with translation.override("en"):
        assert gettext(msgid) == msgid


def test_a_status_is_named_for_what_it_is_the_status_of():
    """经营状态 is an enterprise's (operating, suspended, moved out…); a policy, a demand
    or an application has a 状态."""
    from django.apps import apps

    with translation.override("zh-hans"):
        for model in apps.get_models():
            if model.__module__.startswith("gongxin.") and any(
                f.name == "status" for f in model._meta.fields
            ):
                label = str(model._meta.get_field("status").verbose_name)
                if model._meta.label == "enterprises.Enterprise":
                    assert label == "经营状态"
                else:
                    assert label != "经营状态" and "状态" in label, (model._meta.label, label)


def test_a_plan_items_deadline_is_not_a_visit():
    from gongxin.enterprises.models import PlanItem

    with translation.override("zh-hans"):
        assert str(PlanItem._meta.get_field("due_on").verbose_name) == "完成时限"
        assert pgettext("deadline", "Due") == "完成时限"
        assert gettext("Due") == "应走访"  # (the visit lists' column)


def test_import_summaries():
    args = {"rows": 12, "c": 3, "u": 4, "s": 5, "n": 2}
    with translation.override("zh-hans"):
        assert (
            gettext("%(rows)d rows imported: %(c)d created, %(u)d changed, %(s)d unchanged.") % args
            == "12 行已导入：新增 3，修改 4，未变 5。"
        )
        assert (
            gettext(
                "Dry run: %(rows)d rows; %(c)d would be created, %(u)d changed, %(s)d unchanged."
            )
            % args
            == "试导入：共 12 行，将新增 3，修改 4，未变 5（尚未写入）。"
        )
        assert gettext("%(n)d error(s); nothing was imported.") % args == (
            "发现 2 处错误，未导入任何数据。"
        )
        check_digit = gettext("The check digit of “%(value)s” is wrong: the code was mistyped.")
        assert "统一社会信用代码" in check_digit and "校验位" in check_digit


def test_plural_in_chinese():
    with translation.override("zh-hans"):
        for n in (1, 2, 21):
            text = ngettext("%(counter)s record", "%(counter)s records", n) % {"counter": n}
            assert text == f"共 {n} 条记录"
