from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "gongxin.chains"
    label = "chains"
    verbose_name = _("Industrial chains")

    def ready(self) -> None:
        from gongxin.chains.selectors import chain_can_read
        from gongxin.core.navigation import register_menu

        register_menu(_("Chains"), "chains:chain_list", order=20, shown_to=chain_can_read)
