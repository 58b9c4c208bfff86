"""API authentication: bearer tokens for other systems, the session for the browser."""

import datetime as dt

from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from gongxin.core.models import ApiToken, User

_TOUCH_EVERY = dt.timedelta(minutes=5)


class BearerToken(HttpBearer):
    """`Authorization: Bearer gx_…` as printed by `gongxin token USERNAME`."""

    def authenticate(self, request, token: str) -> User | None:
        if not token:
            return None
        record = (
            ApiToken.objects.select_related("user", "user__region")
            .filter(digest=ApiToken.hash(token), revoked=False, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        now = timezone.now()
        if record.last_used_at is None or now - record.last_used_at > _TOUCH_EVERY:
            ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        request.user = record.user
        return record.user


def token_issue(*, user: User, name: str = "") -> str:
    """Create a token for `user` and return it; only its hash is kept."""
    from gongxin.core.audit import audit_record
    from gongxin.core.choices import AuditAction

    raw = ApiToken.generate()
    ApiToken.objects.create(user=user, name=name, prefix=raw[3:11], digest=ApiToken.hash(raw))
    audit_record(actor=user, action=AuditAction.TOKEN, obj=user, message=name)
    return raw


API_AUTH = [BearerToken(), django_auth]
