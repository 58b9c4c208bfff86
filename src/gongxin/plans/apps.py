from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PlansConfig(AppConfig):
    name = "gongxin.plans"
    label = "plans"
    verbose_name = _("Plans into practice")

    def ready(self) -> None:
        from gongxin.core.navigation import register_menu
        from gongxin.plans.selectors import plans_can_read

        register_menu(
            pgettext_lazy("menu", "Plans"), "plans:plan_list", order=58, shown_to=plans_can_read
        )
