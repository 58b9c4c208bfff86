"""Chains are edited through the services (so every change is audited); the admin only
lists them for administrators."""

from django.contrib import admin

from gongxin.chains.models import Chain, ChainNode
from gongxin.core.admin import ReadOnlyAdmin


@admin.register(Chain)
class ChainAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "parent", "office")
    list_select_related = ("parent", "office")


@admin.register(ChainNode)
class ChainNodeAdmin(ReadOnlyAdmin):
    list_display = ("name", "chain", "segment", "kind", "key_link", "bottleneck")
    list_filter = ("chain", "segment", "kind", "key_link", "bottleneck")
    search_fields = ("name",)
    list_select_related = ("chain",)
