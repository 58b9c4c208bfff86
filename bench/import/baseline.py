"""The django-import-export side of the benchmark: a ModelResource for Enterprise that reads
the same file as gongxin's EnterpriseImporter and stores the same values.

It is set up the way the django-import-export documentation ("Bulk imports", "Performance
tuning") recommends for large files, so the comparison is fair to it:

- `use_bulk = True` with the default `batch_size = 1000` (bulk_create / bulk_update);
- `instance_loader_class = CachedInstanceLoader`: existing rows are read with one query;
- `skip_unchanged = True` (so the idempotent second import writes nothing, as gongxin's
  does), which needs `skip_diff = False`; `skip_html_diff = True` and
  `report_skipped = False` drop the per-row HTML and the skipped-row results;
- `CachedForeignKeyWidget` (a ForeignKeyWidget that reads its table once) for district (by
  name), park (by name), industry (by code) and service officer (by username);
- `get_queryset()` selects the related rows, so comparing an existing row's foreign keys
  costs no query per row;
- one transaction for the whole file (`use_transactions = True`); model validation
  (`clean_model_instances`) stays off, its default.

Cells that need converting (万元 to yuan, 是/否, the Chinese labels of choices) get small
widgets, as any project importing these files would write. The stored rows are the same as
gongxin's: the benchmark compares a fingerprint of the table after each import.

Import this module only after `django.setup()`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.instance_loaders import CachedInstanceLoader

from gongxin.core.choices import DISTRICT_KINDS, PARK_KINDS
from gongxin.core.models import Industry, Region, User
from gongxin.enterprises.columns import SIZE_LABELS, STATUS_LABELS
from gongxin.enterprises.models import Enterprise
from gongxin.enterprises.services import ENTERPRISE_FIELDS

WAN = Decimal(10_000)


class WanYuanWidget(widgets.DecimalWidget):
    """A 万元 cell stored in yuan (gongxin keeps money in yuan)."""

    def clean(self, value, row=None, **kwargs):
        amount = super().clean(value, row, **kwargs)
        return None if amount is None else (amount * WAN).quantize(Decimal("0.01"))


class LabelWidget(widgets.Widget):
    """A choice written as its Chinese label (大型, 在营 …)."""

    def __init__(self, labels: dict[str, str], *, blank: str = "", **kwargs):
        super().__init__(**kwargs)
        self.labels = labels
        self.blank = blank

    def clean(self, value, row=None, **kwargs):
        text = str(value or "").strip()
        if not text:
            return self.blank
        try:
            return self.labels[text]
        except KeyError:
            raise ValueError(f"unknown value {text!r}") from None


class YesNoWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["是", *widgets.BooleanWidget.TRUE_VALUES]
    FALSE_VALUES = ["否", *widgets.BooleanWidget.FALSE_VALUES]


class DateOnlyWidget(widgets.DateWidget):
    """XLSX date cells arrive as datetime; keep the date so unchanged rows compare equal."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        return super().clean(value, row, **kwargs)


class DistrictWidget(widgets.CachedForeignKeyWidget):
    def get_queryset(self, value, row, *args, **kwargs):
        return Region.objects.filter(kind__in=DISTRICT_KINDS)


class ParkWidget(widgets.CachedForeignKeyWidget):
    def get_queryset(self, value, row, *args, **kwargs):
        return Region.objects.filter(kind__in=PARK_KINDS)


def _text(attribute: str, header: str) -> fields.Field:
    return fields.Field(
        attribute=attribute, column_name=header, widget=widgets.CharWidget(allow_blank=True)
    )


class EnterpriseResource(resources.ModelResource):
    uscc = _text("uscc", "统一社会信用代码")
    name = _text("name", "企业名称")
    legal_representative = _text("legal_representative", "法定代表人")
    established_on = fields.Field(
        attribute="established_on",
        column_name="成立日期",
        widget=DateOnlyWidget(format="%Y-%m-%d"),
    )
    registered_capital = fields.Field(
        attribute="registered_capital", column_name="注册资本（万元）", widget=WanYuanWidget()
    )
    address = _text("address", "注册地址")
    district = fields.Field(
        attribute="district", column_name="所属区县", widget=DistrictWidget(Region, "name")
    )
    park = fields.Field(attribute="park", column_name="所属园区", widget=ParkWidget(Region, "name"))
    industry = fields.Field(
        attribute="industry",
        column_name="行业代码",
        widget=widgets.CachedForeignKeyWidget(Industry, "code"),
    )
    size_class = fields.Field(
        attribute="size_class", column_name="企业规模", widget=LabelWidget(SIZE_LABELS)
    )
    above_scale = fields.Field(
        attribute="above_scale", column_name="是否规上", widget=YesNoWidget(), default=False
    )
    status = fields.Field(
        attribute="status",
        column_name="经营状态",
        widget=LabelWidget(STATUS_LABELS, blank="operating"),
    )
    main_products = _text("main_products", "主要产品")
    business_scope = _text("business_scope", "经营范围")
    service_officer = fields.Field(
        attribute="service_officer",
        column_name="包联干部",
        widget=widgets.CachedForeignKeyWidget(User, "username"),
    )

    class Meta:
        model = Enterprise
        fields = ENTERPRISE_FIELDS
        import_id_fields = ["uscc"]
        instance_loader_class = CachedInstanceLoader
        use_bulk = True
        batch_size = 1000
        skip_unchanged = True
        skip_diff = False
        skip_html_diff = True
        report_skipped = False
        use_transactions = True
        clean_model_instances = False

    def get_queryset(self):
        return Enterprise.objects.select_related("district", "park", "industry", "service_officer")


def baseline_import(path: Path) -> dict:
    """Read `path` as the admin's import view does (the format's create_dataset), then import
    it in one transaction. Returns counts and the time spent building the dataset."""
    import time

    fmt = base_formats.XLSX() if path.suffix == ".xlsx" else base_formats.CSV(encoding="utf-8")
    start = time.perf_counter()
    with open(path, "rb") as handle:
        dataset = fmt.create_dataset(handle.read())
    loaded = time.perf_counter()
    result = EnterpriseResource().import_data(dataset, dry_run=False, use_transactions=True)
    totals = result.totals
    errors = [str(e.error) for e in result.base_errors[:5]]
    for number, row_errors in result.row_errors()[:5]:
        errors.extend(f"row {number}: {e.error}" for e in row_errors[:1])
    for invalid in result.invalid_rows[:5]:
        errors.append(f"row {invalid.number}: {invalid.error_dict}")
    return {
        "ok": not result.has_errors() and not result.has_validation_errors(),
        "created": totals.get("new", 0),
        "updated": totals.get("update", 0),
        "unchanged": totals.get("skip", 0),
        "errors": errors,
        "load_seconds": loaded - start,
    }
