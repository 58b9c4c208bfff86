from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "gongxin.chains"
    label = "chains"
    verbose_name = _("Industrial chains")
