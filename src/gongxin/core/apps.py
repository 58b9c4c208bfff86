from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "gongxin.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from gongxin.core import signals  # noqa: F401  (login audit receivers)
        from gongxin.core.navigation import register_menu

        register_menu(_("Regions and departments"), "reference", order=90)
