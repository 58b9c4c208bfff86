from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "gongxin.alerts"
    label = "alerts"
    verbose_name = _("Early warnings")

    def ready(self) -> None:
        from gongxin.alerts.selectors import alerts_can_read
        from gongxin.core.navigation import register_menu

        register_menu(_("Early warnings"), "alerts:alert_list", order=55, shown_to=alerts_can_read)
