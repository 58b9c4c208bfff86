from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from gongxin.core.models import ApiToken, AuditEntry, Department, Industry, Region, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "display_name",
        "role",
        "region",
        "department",
        "enterprise",
        "is_active",
    )
    list_filter = ("role", "is_active", "region")
    search_fields = ("username", "display_name", "phone")
    raw_id_fields = ("enterprise",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Role and scope"),
            {"fields": ("role", "display_name", "phone", "region", "department", "enterprise")},
        ),
    )
    list_select_related = ("region", "department", "enterprise")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "parent", "sort_order")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")
    list_select_related = ("parent",)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "kind", "sort_order")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")
    list_select_related = ("parent",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
    list_select_related = ("user",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Lists records for administrators; changes go through the services, which audit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by services, never edited."""

    list_display = ("created_at", "actor_name", "action", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "object_repr", "object_id", "request_id")
