import uuid

from gongxin.core.audit import audit_context


class RequestIdMiddleware:
    """Gives each request an id (or keeps the proxy's X-Request-ID) for the audit log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")[:36]
        ip = request.META.get("REMOTE_ADDR") or None
        with audit_context(request_id=incoming or str(uuid.uuid4()), ip_address=ip) as rid:
            request.request_id = rid
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response
