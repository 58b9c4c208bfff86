from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProjectsConfig(AppConfig):
    name = "gongxin.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from gongxin.core.navigation import register_menu

        register_menu(pgettext_lazy("menu", "Key projects"), "projects:project_list", order=45)

        from gongxin.core.tabular.registry import ImportSpec, register_import
        from gongxin.projects.imports import (
            ProgressImporter,
            progress_can_import,
            progress_template,
        )

        register_import(
            ImportSpec(
                kind="project_progress",
                label=_("Key project monthly progress"),
                importer=ProgressImporter,
                write_template=progress_template,
                can_import=progress_can_import,
                template_name="重点项目月度进度导入模板.xlsx",
                back_url="projects:project_list",
            )
        )
