from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "gongxin.indicators"
    label = "indicators"
    verbose_name = _("Indicators")

    def ready(self) -> None:
        from gongxin.core.navigation import register_menu
        from gongxin.indicators.selectors import indicators_can_read

        register_menu(
            _("Indicators"), "indicators:overview", order=50, shown_to=indicators_can_read
        )
