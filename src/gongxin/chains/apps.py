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
        _watch_the_archive()
        _register_files()


def _register_files() -> None:
    from gongxin.chains.imports import (
        SupplierImporter,
        supplier_can_import,
        supplier_export,
        supplier_template,
    )
    from gongxin.core.tabular.registry import ImportSpec, register_export, register_import

    register_import(
        ImportSpec(
            kind="suppliers",
            label=_("Supplier relations"),
            importer=SupplierImporter,
            write_template=supplier_template,
            can_import=supplier_can_import,
            template_name="供应关系导入模板.xlsx",
            back_url="chains:chain_list",
        )
    )
    register_export("suppliers", supplier_export)


def _watch_the_archive() -> None:
    """Move the archive's version on (see `core.versions`) whenever what a chain's stored
    figures come from is saved or deleted one by one; bulk writes call
    `versions.changed()` themselves."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from gongxin.chains import models
    from gongxin.core import versions
    from gongxin.enterprises.models import AnnualFigure, Enterprise
    from gongxin.projects.models import Project

    def changed(**kwargs) -> None:
        versions.changed()

    watched = (
        Enterprise,
        AnnualFigure,
        Project,
        models.Chain,
        models.ChainNode,
        models.EnterpriseNode,
        models.ApplicationField,
    )
    for model in watched:
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"version-{model}")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"version-d-{model}")
    m2m_changed.connect(
        changed,
        sender=models.ApplicationField.nodes.through,
        weak=False,
        dispatch_uid="version-fields",
    )
