"""XLSX exports of the archive: the same columns as the import templates."""

from django.utils.translation import gettext as _

from gongxin.core.models import User
from gongxin.core.tabular.files import write_export, write_template
from gongxin.enterprises.columns import (
    ENTERPRISE_COLUMNS,
    FIGURE_COLUMNS,
    enterprise_export_rows,
    figure_export_rows,
)
from gongxin.enterprises.models import Enterprise, MonthlyFigure
from gongxin.enterprises.selectors import enterprise_list

TEMPLATE_NOTES = {
    "enterprises": (
        "统一社会信用代码按 GB 32100-2015 校验，校验位错误的行会被拒绝。",
        "所属区县填写区县全称、简称或行政区划代码；所属园区填写开发区或园区名称。",
        "行业代码填写《国民经济行业分类》（GB/T 4754-2017）大类或小类代码，如 39、3961。",
        "注册资本以万元为单位；日期写作 2024-03-15。",
        "同一文件中同一信用代码只能出现一次；文件中没有的列保持档案原值。",
        "导入为全部成功或全部不导入：任何一行有错，整个文件都不会写入。",
    ),
    "figures": (
        "每行一家企业一个月的数据；年月写作 2024-03。",
        "金额以万元为单位，用电量以万千瓦时为单位，从业人员为期末人数。",
        "企业须已在档案中；如填写企业名称，须与档案一致。",
        "导入为全部成功或全部不导入：任何一行有错，整个文件都不会写入。",
    ),
}


def enterprise_export(target, *, user: User | None, filters=None) -> int:
    """The enterprises the user may see (filtered like the list) as an XLSX file."""
    # The list's scope and filters, without the qualifications it prefetches for display.
    qs = enterprise_list(user=user, filters=filters).prefetch_related(None) if user else _all()
    return write_export(
        target,
        title=_("Enterprises"),
        columns=ENTERPRISE_COLUMNS,
        rows=enterprise_export_rows(qs.order_by("uscc")),
    )


def monthly_figure_export(target, *, user: User | None, filters=None) -> int:
    enterprises = enterprise_list(user=user, filters=filters) if user else _all()
    qs = MonthlyFigure.objects.filter(enterprise__in=enterprises.values("pk"))
    return write_export(
        target, title=_("Monthly figures"), columns=FIGURE_COLUMNS, rows=figure_export_rows(qs)
    )


def _all():
    return Enterprise.objects.all()


def enterprise_template(target) -> None:
    write_template(
        target,
        title=_("Enterprises"),
        columns=ENTERPRISE_COLUMNS,
        notes=TEMPLATE_NOTES["enterprises"],
    )


def monthly_figure_template(target) -> None:
    write_template(
        target, title=_("Monthly figures"), columns=FIGURE_COLUMNS, notes=TEMPLATE_NOTES["figures"]
    )
