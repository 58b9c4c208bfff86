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


class LanguageMiddleware:
    """Chinese unless the user picked another language (the language cookie set by the
    switcher in the header); the browser's Accept-Language is not consulted, so an
    official on an English-language browser still gets the Chinese UI by default."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
