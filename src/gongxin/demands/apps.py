from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "gongxin.demands"
    label = "demands"
    verbose_name = _("Enterprise demands")

    def ready(self) -> None:
        from gongxin.core.navigation import register_menu
        from gongxin.demands.selectors import demand_menu

        register_menu(_("Demands"), "demands:inbox", order=30, shown_to=demand_menu)
