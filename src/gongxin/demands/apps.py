from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "gongxin.demands"
    label = "demands"
    verbose_name = _("Enterprise demands")

    def ready(self) -> None:
        from gongxin.core.navigation import register_menu
        from gongxin.demands.selectors import demand_menu, visit_menu

        register_menu(_("Demands"), "demands:inbox", order=30, shown_to=demand_menu)
        register_menu(_("Visits"), "visits:visit_list", order=31, shown_to=visit_menu)

        from gongxin.core.tabular.registry import ImportSpec, register_import
        from gongxin.demands.imports import HotlineImporter, hotline_can_import, hotline_template

        register_import(
            ImportSpec(
                kind="hotline",
                label=_("12345 hotline tickets"),
                importer=HotlineImporter,
                write_template=hotline_template,
                can_import=hotline_can_import,
                template_name="12345热线工单导入模板.xlsx",
                back_url="demands:inbox",
            )
        )
