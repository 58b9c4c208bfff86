"""Display helpers: 万元 amounts, signed growth, dictionary lookups, audit changes."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from gongxin.core.units import WAN, YI

register = template.Library()


@register.filter
def wan(value, places: int = 2):
    """Yuan shown in 万元 with thousands separators."""
    if value in (None, ""):
        return "—"
    return intcomma(f"{Decimal(value) / WAN:,.{int(places)}f}".replace(",", ""))


@register.filter
def yi(value, places: int = 2):
    """Yuan shown in 亿元 (100 million yuan) with thousands separators."""
    if value in (None, ""):
        return "—"
    return intcomma(f"{Decimal(value) / YI:.{int(places)}f}")


@register.filter
def signed(value):
    if value is None:
        return "—"
    return f"{value:+.1f}"


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def percent(fraction):
    try:
        return round(float(fraction) * 100)
    except (TypeError, ValueError):
        return 0


@register.filter
def change_items(changes):
    return list((changes or {}).items()) if isinstance(changes, dict) else []


@register.filter
def ratio(numerator, denominator):
    """numerator / denominator as a percentage with one decimal, or — ."""
    if numerator in (None, "") or not denominator:
        return "—"
    return f"{Decimal(numerator) / Decimal(denominator) * 100:.1f}%"


@register.filter
def object_type_label(object_type: str) -> str:
    """“enterprises.enterprise” as the model's name in the user's language."""
    from django.apps import apps

    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type
