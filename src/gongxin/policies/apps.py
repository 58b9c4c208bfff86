from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "gongxin.policies"
    label = "policies"
    verbose_name = _("Policies")

    def ready(self) -> None:
        from gongxin.core.navigation import register_menu
        from gongxin.enterprises.signals import enterprise_changed

        register_menu(_("Policies"), "policies:policy_list", order=40)

        enterprise_changed.connect(_rematch, dispatch_uid="policies.rematch")


def _rematch(sender, ids, **kwargs) -> None:
    """An enterprise's file changed: re-decide the policies for it (all after an import)."""
    from gongxin.policies.services import match_all, match_enterprises

    if ids is None:
        match_all()
    else:
        match_enterprises(ids)
