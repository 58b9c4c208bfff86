"""Enterprises are edited through the services (web UI, API, imports) so every change is
audited; the admin only lists them for administrators."""

from django.contrib import admin

from gongxin.enterprises.models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ("name", "uscc", "district", "park", "size_class", "above_scale")
    list_filter = ("size_class", "above_scale", "district")
    search_fields = ("name", "uscc")
    list_select_related = ("district", "park")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
