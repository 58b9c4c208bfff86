from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnterprisesConfig(AppConfig):
    name = "gongxin.enterprises"
    label = "enterprises"
    verbose_name = _("Enterprise archive")

    def ready(self) -> None:
        from gongxin.core.navigation import register_menu
        from gongxin.core.tabular.registry import ImportSpec, register_export, register_import
        from gongxin.enterprises import exports, selectors
        from gongxin.enterprises.columns import EnterpriseImporter, MonthlyFigureImporter

        register_import(
            ImportSpec(
                kind="enterprises",
                label=_("Enterprises"),
                importer=EnterpriseImporter,
                write_template=exports.enterprise_template,
                can_import=selectors.enterprise_can_import,
                template_name="企业信息导入模板.xlsx",
                back_url="enterprises:enterprise_list",
            )
        )
        register_import(
            ImportSpec(
                kind="figures",
                label=_("Monthly figures"),
                importer=MonthlyFigureImporter,
                write_template=exports.monthly_figure_template,
                can_import=selectors.figures_can_import,
                template_name="企业月度数据导入模板.xlsx",
                back_url="enterprises:enterprise_list",
            )
        )
        register_export("enterprises", exports.enterprise_export)
        register_export("figures", exports.monthly_figure_export)
        register_menu(_("Enterprises"), "enterprises:enterprise_list", order=10)
