"""Reference data every deployment carries: GB/T 4754-2017 industry classification."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def industry_code(value: str | None) -> str:
    """A GB/T 4754 code as stored: “c3961 ” → “3961” (a leading section letter dropped)."""
    code = (value or "").strip().upper()
    return code[1:] if code[:1].isalpha() else code


def industry_rows() -> list[tuple[str, str, int, str | None]]:
    """(code, name, level, parent code) for every category in the data file, parents first."""
    rows = []
    section = None
    with open(DATA_DIR / "gbt4754_2017.csv", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            code, name = record["code"].strip(), record["name"].strip()
            if code.isalpha():
                section = code
                rows.append((code, name, 1, None))
            elif len(code) == 2:
                rows.append((code, name, 2, section))
            elif len(code) == 3:
                rows.append((code, name, 3, code[:2]))
            else:
                rows.append((code, name, 4, code[:3]))
    return rows


def industries_load(Industry) -> int:
    """Create or update the classification in `Industry` (a model class, so data migrations
    can pass their historical model). Returns the number of categories."""
    by_code = {i.code: i for i in Industry.objects.all()}
    rows = industry_rows()
    for code, name, level, parent_code in rows:
        parent = by_code.get(parent_code) if parent_code else None
        if parent_code and parent is None:
            parent = by_code.get(parent_code[:2])
        current = by_code.get(code)
        if current is None:
            by_code[code] = Industry.objects.create(
                code=code, name=name, level=level, parent=parent
            )
        elif (current.name, current.level, current.parent_id) != (
            name,
            level,
            parent.pk if parent else None,
        ):
            current.name, current.level, current.parent = name, level, parent
            current.save(update_fields=["name", "level", "parent"])
    return len(rows)
