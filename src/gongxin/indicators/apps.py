from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "gongxin.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from gongxin.core.navigation import register_menu
        from gongxin.enterprises.signals import enterprise_changed
        from gongxin.indicators.selectors import indicators_can_read

        register_menu(
            _("Indicators"), "indicators:overview", order=50, shown_to=indicators_can_read
        )

        enterprise_changed.connect(_recompute, dispatch_uid="indicators.rollup")

        from gongxin.core.tabular.registry import ImportSpec, register_import
        from gongxin.indicators import imports

        register_import(
            ImportSpec(
                kind="indicator_targets",
                label=_("Indicator targets of the year"),
                importer=imports.TargetImporter,
                write_template=imports.targets_template,
                can_import=imports.indicators_can_import,
                template_name="指标年度目标导入模板.xlsx",
                back_url="indicators:overview",
            )
        )
        register_import(
            ImportSpec(
                kind="indicator_province",
                label=_("Province figures (for the share of the province)"),
                importer=imports.ProvinceImporter,
                write_template=imports.province_template,
                can_import=imports.indicators_can_import,
                template_name="全省指标数据导入模板.xlsx",
                back_url="indicators:overview",
            )
        )


def _recompute(sender, ids, **kwargs) -> None:
    """An enterprise's file changed: recompute the monthly totals of its groups (all of
    them after an import)."""
    from gongxin.indicators.rollup import rollup_rebuild, rollup_update

    if ids is None:
        rollup_rebuild()
    else:
        rollup_update(ids)
