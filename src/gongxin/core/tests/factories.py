"""Factories for core records. Regions and departments come from the demo city."""

from types import SimpleNamespace

import factory

from gongxin.core.choices import Role
from gongxin.core.models import User


def city_load() -> SimpleNamespace:
    """Nanchang's regions and departments, by code (city.regions["360121"]), and the industry
    classification (which transactional tests flush away with the migration data)."""
    from gongxin.core.demo import departments_load, regions_load
    from gongxin.core.models import Industry
    from gongxin.core.reference import industries_load

    if not Industry.objects.exists():
        industries_load(Industry)

    return SimpleNamespace(regions=regions_load(), departments=departments_load())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    role = Role.STAFF
    password = factory.django.Password("pw-for-tests-1")
