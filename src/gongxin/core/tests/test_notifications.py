"""Messages in the app: the count in the top bar, the list (one's own only), opening one
marks it read and goes to what it is about (never off the site), marking all read."""

import pytest
from django.urls import reverse

from gongxin.core.models import Notification
from gongxin.core.notify import Message, notify
from gongxin.core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_top_bar_counts_unread_messages_and_the_list_shows_ones_own(client):
    user, other = UserFactory(), UserFactory()
    notify([Message(user, "诉求逾期：招工难", "人社局", "/demands/1/"), Message(other, "别人的")])
    client.force_login(user)
    page = client.get(reverse("notification_list"))
    assert page.context["unread"] == 1
    assert [n.title for n in page.context["page_obj"]] == ["诉求逾期：招工难"]
    assert "别人的" not in page.content.decode()


def test_opening_marks_read_and_follows_the_link_on_site_only(client):
    user = UserFactory()
    notify([Message(user, "a", url="/demands/7/"), Message(user, "b", url="https://evil.example/")])
    a, b = Notification.objects.order_by("pk")
    client.force_login(user)
    response = client.post(reverse("notification_open", args=[a.pk]))
    assert response["Location"] == "/demands/7/"
    a.refresh_from_db()
    assert a.read_at is not None
    response = client.post(reverse("notification_open", args=[b.pk]))
    assert response["Location"] == reverse("notification_list")
    client.force_login(UserFactory())
    assert client.post(reverse("notification_open", args=[a.pk])).status_code == 404


def test_marking_all_read(client):
    user = UserFactory()
    notify([Message(user, f"m{i}") for i in range(3)])
    client.force_login(user)
    client.post(reverse("notification_list"))
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert client.get(reverse("notification_list")).context["unread"] == 0
