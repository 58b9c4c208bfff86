from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CockpitConfig(AppConfig):
    name = "gongxin.cockpit"
    label = "cockpit"
    verbose_name = _("Cockpit")

    def ready(self) -> None:
        from gongxin.cockpit.selectors import cockpit_can_read
        from gongxin.core.navigation import register_menu

        register_menu(_("Cockpit"), "cockpit:cockpit", order=5, shown_to=cockpit_can_read)
