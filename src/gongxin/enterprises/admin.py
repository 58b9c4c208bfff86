"""Enterprises are edited through the services (web UI, API, imports) so every change is
audited; the admin only lists them for administrators."""

from django.contrib import admin

from gongxin.core.admin import ReadOnlyAdmin
from gongxin.enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdmin):
    list_display = ("name", "uscc", "district", "park", "size_class", "above_scale")
    list_filter = ("size_class", "above_scale", "district")
    search_fields = ("name", "uscc")
    list_select_related = ("district", "park")
