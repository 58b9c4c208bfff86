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


def _recompute(sender, ids, **kwargs) -> None:
    """An enterprise's file changed: recompute the monthly totals of its groups (all of
    them after an import)."""
    from gongxin.indicators.rollup import rollup_rebuild, rollup_update

    if ids is None:
        rollup_rebuild()
    else:
        rollup_update(ids)
