"""Data: the GB/T 4754-2017 industry classification (sections, all divisions, and the
groups and classes the key chains use)."""

from django.db import migrations


def load(apps, schema_editor):
    from gongxin.core.reference import industries_load

    industries_load(apps.get_model("core", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("core", "0002_user_enterprise_and_permissions")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
