"""Login events into the audit log. Business writes are audited by services, not here."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from gongxin.core.audit import audit_entry, audit_record
from gongxin.core.choices import AuditAction


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.LOGIN, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    entry = audit_entry(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        obj=user,
        object_type="core.user",
        object_repr=username,
        message=f"用户名 {username} 登录失败",
    )
    # The name that was tried, not "system": filtering the log by user finds the attempts.
    entry.actor_name = username
    entry.save()
