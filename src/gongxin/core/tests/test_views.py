from django.test import Client
from django.urls import reverse

from gongxin.core.choices import Role
from gongxin.core.tests.factories import UserFactory


def test_reference_page_lists_regions_with_codes_and_departments(city):
    client = Client()
    client.force_login(UserFactory(role=Role.DISTRICT, region=city.regions["360121"]))
    page = client.get(reverse("reference")).content.decode()
    assert "360121" in page and "南昌县" in page
    assert "南昌小蓝经济技术开发区" in page and "国家级开发区" in page
    assert "南昌市人力资源和社会保障局" in page


def test_reference_page_needs_a_login(db):
    response = Client().get(reverse("reference"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_menu_lists_the_archive_and_the_reference(city):
    client = Client()
    client.force_login(UserFactory(role=Role.STAFF))
    page = client.get(reverse("home")).content.decode()
    assert reverse("enterprises:enterprise_list") in page
    assert reverse("reference") in page


def test_an_enterprise_user_lands_on_its_own_file(city):
    from gongxin.enterprises.tests.factories import EnterpriseFactory

    enterprise = EnterpriseFactory()
    client = Client()
    client.force_login(UserFactory(role=Role.ENTERPRISE, enterprise=enterprise))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == enterprise.get_absolute_url()
