"""What a task's text proposes: owner and co-owner departments, a deadline, numeric
targets and the chains, projects and policies it names. Plain Python, no database: the
names it can recognise come in a `Vocabulary` built by the caller.

Staff confirm or change each proposal; nothing here is taken as settled.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from gongxin.plans.parser import cn_number, key_of

# "责任单位：A、B" — the first named leads (列第一位的为牵头单位), the others co-operate.
_OWNER_LABEL = r"(?:责任单位|责任部门|责任处室|责任科室|主责单位|承办单位|实施主体|责任主体)"
_LEAD_LABEL = r"(?:牵头单位|牵头部门|牵头处室|牵头科室|主办单位)"
_CO_LABEL = r"(?:配合单位|配合部门|配合处室|协办单位|参与单位|协同单位)"
_LABELLED = re.compile(
    rf"({_OWNER_LABEL}|{_LEAD_LABEL}|{_CO_LABEL})\s*[:：]\s*"
    r"((?:[^；;。()（）]|[(（][^()（）]{0,8}[)）])+)"
)
_SPLIT_NAMES = re.compile(r"[、，,/／]|及|和(?=[市区县各])|以及")
_DEADLINE_LABEL = re.compile(
    r"(?:完成时限|完成时间|时间节点|时限要求|时限)\s*[:：]\s*([^；;。)）]+)"
)

_ONGOING = re.compile(r"长期坚持|持续推进|长期推进|常态化推进|长期|常态化|持续开展|每年")
_FULL_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:前|之前|以前)?")
_YEAR_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?:底|末|份)?(?:前|之前|以前)?")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:前|之前|以前)?")
_MONTH = re.compile(
    r"(?<![\d年])(\d{1,2}|[一二三四五六七八九十]{1,2})\s*月(?:底|末|份)?(?:前|之前|以前)"
)
_YEAR_END = re.compile(
    r"(?:到|至|在|于)?\s*(\d{4})\s*年\s*(?:底|末|年底|年末)?\s*(?:前|之前|以前)?"
    r"(?![\d月])"
)
_QUARTER = re.compile(r"(?:(\d{4})\s*年)?\s*(?:第)?([一二三四1-4])\s*季度(?:末|底)?(?:前)?")
_HALF = re.compile(r"(?:(\d{4})\s*年)?\s*(上半年|年中|下半年)")
_THIS_YEAR_END = re.compile(r"年底前|年内|年末前|年底|年末|全年")

_TARGET = re.compile(
    r"(?P<verb>年均增长|增长|增速|提高到|提升至|提升到|提高至|达到|超过|突破|新增|新培育|培育|"
    r"建成|创建|新建|实施|滚动推进|引进|打造|认定|完成|降低|下降|控制在)"
    r"(?P<gap>[^，。；;,\d]{0,16}?)"
    r"(?P<value>\d+(?:\.\d+)?)\s*"
    r"(?P<unit>%|％|个百分点|家|个|亿元|万元|元|项|户|万平方米|平方米|万千瓦时|吨|场|次|人|条|座|亩)"
    r"(?P<qualifier>左右|以上|以内|以下|上下)?"
)
_CLAUSE_START = re.compile(r"[，。；;,：:（(、]")


@dataclass(frozen=True)
class Named:
    """Something a task can name: a department, chain, project, policy or indicator.
    `names` are the ways documents write it (full name, short name, aliases)."""

    kind: str
    ref: str  # its key: a primary key or a code
    label: str
    names: tuple[str, ...]


@dataclass
class Vocabulary:
    departments: list[Named] = field(default_factory=list)
    links: list[Named] = field(default_factory=list)  # chains, projects, policies, kinds
    indicators: list[Named] = field(default_factory=list)

    def __post_init__(self):
        self._index: dict[str, dict[str, Named]] = {}
        self._patterns: dict[str, re.Pattern] = {}

    def _lookup(self, group: str) -> dict[str, Named]:
        if group not in self._index:
            table: dict[str, Named] = {}
            for item in getattr(self, group):
                for name in item.names:
                    if name:
                        table.setdefault(key_of(name), item)
            self._index[group] = table
        return self._index[group]

    def department(self, name: str) -> Named | None:
        """The department a written name means: exact, then without the city prefix,
        then the one known name it ends with (运行监测协调处 → 市工信局运行监测协调处)."""
        table = self._lookup("departments")
        key = key_of(name.strip())
        if key in table:
            return table[key]
        # 南昌市科技局 → 市科技局 or 科技局; 市科技局 → 科技局 (the city's name is dropped)
        city = key.find("市")
        if 0 <= city <= 4:
            for shorter in (key[city:], key[city + 1 :]):
                if shorter in table:
                    return table[shorter]
        endings = [item for known, item in table.items() if len(key) >= 3 and known.endswith(key)]
        if len({item.ref for item in endings}) == 1:
            return endings[0]
        return None

    def mentioned(self, group: str, text: str) -> list[Named]:
        """The items of a group named in the text, in order of first mention, longest
        name first where names overlap."""
        table = self._lookup(group)
        if not table:
            return []
        pattern = self._patterns.get(group)
        if pattern is None:
            names = sorted((name for name in table if len(name) >= 2), key=len, reverse=True)
            if not names:
                return []
            pattern = self._patterns[group] = re.compile("|".join(map(re.escape, names)))
        found: dict[str, Named] = {}
        for match in pattern.finditer(key_of(text)):
            item = table[match.group(0)]
            found.setdefault(f"{item.kind}:{item.ref}", item)
        return list(found.values())


@dataclass
class Deadline:
    date: dt.date | None
    ongoing: bool
    phrase: str


@dataclass
class Target:
    label: str  # the clause, as written: "营收年均增长9%左右"
    value: Decimal
    unit: str
    qualifier: str  # 左右, 以上 …
    indicator: str = ""  # the indicator it measures, when known (its ref)


@dataclass
class Proposal:
    owners: list[str] = field(default_factory=list)  # as written
    co_owners: list[str] = field(default_factory=list)
    owner_refs: list[str] = field(default_factory=list)  # departments recognised
    co_owner_refs: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # owners named that are not departments
    deadline: Deadline | None = None
    targets: list[Target] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)  # {"kind", "ref", "label"}

    def as_dict(self) -> dict:
        data = asdict(self)
        if self.deadline and self.deadline.date:
            data["deadline"]["date"] = self.deadline.date.isoformat()
        for target in data["targets"]:
            target["value"] = str(target["value"])
        return data


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def deadline_of(text: str, *, year: int) -> Deadline | None:
    """The deadline a text sets, read from a 完成时限 label when there is one, else the
    latest one named anywhere: "6月底前" → 30 June of the plan's year, "到2026年" → the end
    of 2026, "三季度末前" → 30 September; "长期坚持" is ongoing (no date)."""
    key = key_of(text)
    labelled = _DEADLINE_LABEL.search(key)
    scope = labelled.group(1) if labelled else key
    found: list[tuple[dt.date, str]] = []

    def add(date: dt.date, phrase: str) -> None:
        found.append((date, phrase.strip()))

    taken: list[tuple[int, int]] = []

    def free(match: re.Match) -> bool:
        if any(match.start() < end and start < match.end() for start, end in taken):
            return False
        taken.append(match.span())
        return True

    for match in _FULL_DATE.finditer(scope):
        if free(match):
            with contextlib.suppress(ValueError):  # 2月30日
                add(dt.date(int(match[1]), int(match[2]), int(match[3])), match[0])
    for match in _MONTH_DAY.finditer(scope):  # "9月15日前": the plan's year
        if free(match):
            with contextlib.suppress(ValueError):
                add(dt.date(year, int(match[1]), int(match[2])), match[0])
    for match in _YEAR_MONTH.finditer(scope):
        if free(match) and 1 <= int(match[2]) <= 12:
            add(_month_end(int(match[1]), int(match[2])), match[0])
    for match in _QUARTER.finditer(scope):
        if free(match):
            quarter = cn_number(match[2]) or 4
            add(_month_end(int(match[1] or year), quarter * 3), match[0])
    for match in _HALF.finditer(scope):
        if free(match):
            month = 6 if match[2] in ("上半年", "年中") else 12
            add(_month_end(int(match[1] or year), month), match[0])
    for match in _MONTH.finditer(scope):
        month = cn_number(match[1])
        if month and 1 <= month <= 12 and free(match):
            add(_month_end(year, month), match[0])
    for match in _YEAR_END.finditer(scope):
        # "到2026年", "2026年底前" — a bare year only counts with 到/至 or 底/前 around it.
        phrase = match[0]
        bare = not re.search(r"[到至于在底末前]", phrase)
        if not bare and 2000 <= int(match[1]) <= 2100 and free(match):
            add(dt.date(int(match[1]), 12, 31), phrase)
    for match in _THIS_YEAR_END.finditer(scope):
        if free(match) and match[0] != "全年":
            add(dt.date(year, 12, 31), match[0])
    if found:
        date, phrase = max(found)
        return Deadline(date, False, phrase)
    ongoing = _ONGOING.search(scope)
    if ongoing:
        return Deadline(None, True, ongoing.group(0))
    return None


def owners_of(text: str, vocabulary: Vocabulary) -> tuple[list[str], list[str]]:
    """Owner and co-owner names as the text writes them: from 牵头/配合 labels, from a
    责任单位 list (its first name leads), else from department names it mentions."""
    key = key_of(text)
    owners: list[str] = []
    co_owners: list[str] = []
    for match in _LABELLED.finditer(key):
        label, names = match.group(1), match.group(2)
        start = match.start(2)
        written = [
            text[start + m.start() : start + m.end()].strip()
            for m in re.finditer(r"[^、，,/／]+", names)
        ]
        written = [_trim(name) for part in written for name in _SPLIT_NAMES.split(part)]
        written = [name for name in written if name]
        if re.fullmatch(_CO_LABEL, label):
            co_owners.extend(written)
        elif re.fullmatch(_LEAD_LABEL, label):
            owners.extend(written)
        elif not owners and written:
            owners.append(written[0])
            co_owners.extend(written[1:])
        else:
            co_owners.extend(written)
    if not owners and not co_owners:
        named = [item.label for item in vocabulary.mentioned("departments", text)]
        owners, co_owners = named[:1], named[1:]
    return _unique(owners), [name for name in _unique(co_owners) if name not in owners]


def _trim(name: str) -> str:
    name = re.sub(r"^(?:由|请)", "", name.strip())
    name = re.sub(r"(?:等|牵头|负责|按职责分工负责|按职责分工)$", "", name)
    return name.strip(" 　:：")


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def targets_of(text: str, vocabulary: Vocabulary) -> list[Target]:
    """Numeric targets: "营收年均增长9%左右" → 9 % (左右), with the indicator it names."""
    key = key_of(text)
    targets = []
    for match in _TARGET.finditer(key):
        before = key[: match.start()]
        starts = [m.end() for m in _CLAUSE_START.finditer(before)]
        clause_start = starts[-1] if starts else 0
        clause_start = max(clause_start, match.start() - 30)
        label = text[clause_start : match.end()].strip()
        try:
            value = Decimal(match["value"])
        except InvalidOperation:
            continue
        indicators = vocabulary.mentioned("indicators", key[clause_start : match.end()])
        targets.append(
            Target(
                label=label,
                value=value,
                unit="%" if match["unit"] == "％" else match["unit"],
                qualifier=match["qualifier"] or "",
                indicator=indicators[0].ref if indicators else "",
            )
        )
    return targets


def propose(text: str, *, vocabulary: Vocabulary, year: int) -> Proposal:
    """Everything a task's text proposes."""
    owners, co_owners = owners_of(text, vocabulary)
    found = {name: vocabulary.department(name) for name in [*owners, *co_owners]}
    owner_refs = _unique([found[name].ref for name in owners if found[name]])
    co_refs = _unique(
        [found[name].ref for name in co_owners if found[name] and found[name].ref not in owner_refs]
    )
    return Proposal(
        owners=owners,
        co_owners=co_owners,
        owner_refs=owner_refs,
        co_owner_refs=co_refs,
        unknown=[name for name, item in found.items() if item is None],
        deadline=deadline_of(text, year=year),
        targets=targets_of(text, vocabulary),
        links=[
            {"kind": item.kind, "ref": item.ref, "label": item.label}
            for item in vocabulary.mentioned("links", text)
        ],
    )
