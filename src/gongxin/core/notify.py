"""Notifications: in the app, and by email to those with an address (the console backend
unless SMTP is configured). One function for every app that tells people something."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.mail import EmailMessage, get_connection
from django.db.models import F
from django.utils import timezone

from gongxin.core.models import Notification, User

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Message:
    user: User
    title: str
    body: str = ""
    url: str = ""


def notify(messages: Iterable[Message], *, email: bool = True) -> int:
    """Store the messages for the app and email those whose user has an address (one
    connection for all). Returns how many were stored. A failing mail server is logged,
    never lost: the in-app message stays."""
    messages = list(messages)
    Notification.objects.bulk_create(
        Notification(user=m.user, title=m.title[:200], body=m.body, url=m.url[:300])
        for m in messages
    )
    mails = [
        EmailMessage(m.title, f"{m.body}\n\n{m.url}".strip(), to=[m.user.email])
        for m in messages
        if email and m.user.email
    ]
    if mails:
        try:
            get_connection().send_messages(mails)
        except OSError as exc:  # the in-app messages are there; the mail can be resent
            log.warning("Email to %d users not sent: %s", len(mails), exc)
    return len(messages)


def notification_list(user: User):
    """A user's messages, unread first, then the newest."""
    return Notification.objects.filter(user=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_open(*, user: User, pk: int) -> Notification:
    """A user's message, marked read (another user's is not found)."""
    notification = Notification.objects.get(user=user, pk=pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
