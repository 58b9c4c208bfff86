"""Settings for gongxin, read from the environment.

Nothing is required for the demo: without DATABASE_URL the database is an SQLite file under
var/. Production sets GONGXIN_ENV=production, and then GONGXIN_SECRET_KEY,
GONGXIN_ALLOWED_HOSTS and DATABASE_URL are required: a missing one stops start-up.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("GONGXIN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = os.environ.get("GONGXIN_ENV", "development") == "production"
if PRODUCTION:
    missing = [
        name
        for name in ("GONGXIN_SECRET_KEY", "GONGXIN_ALLOWED_HOSTS", "DATABASE_URL")
        if not os.environ.get(name)
    ]
    if missing:
        raise ImproperlyConfigured(
            "GONGXIN_ENV=production needs these settings in the environment: " + ", ".join(missing)
        )
DEBUG = env_bool("GONGXIN_DEBUG", False)
SECRET_KEY = (
    os.environ.get("GONGXIN_SECRET_KEY") or "gongxin-development-only-key-not-for-production"
)
ALLOWED_HOSTS = env_list("GONGXIN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("GONGXIN_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # (its widget templates, for FORM_RENDERER below)
    "django_filters",
    "axes",
    "ninja",
    "gongxin.core",
    "gongxin.enterprises",
    "gongxin.chains",
    "gongxin.projects",
    "gongxin.demands",
    "gongxin.policies",
    "gongxin.indicators",
    "gongxin.alerts",
    "gongxin.cockpit",
    "gongxin.plans",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongxin.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "gongxin.core.middleware.RequestIdMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongxin.urls"
WSGI_APPLICATION = "gongxin.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongxin.core.context_processors.navigation",
            ],
        },
    },
]

# Widgets are rendered through TEMPLATES, so the project's templates/django/forms/ can
# say what Django leaves in English (the empty choice of a select, "---------").
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'gongxin.sqlite3'}",
        conn_max_age=int(os.environ.get("GONGXIN_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server read while an import writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT spends ~200 ms compiling each large aggregate (a chain's per-node
    # figures, a list over 100k enterprises) before running it in less: off for gongxin's
    # interactive queries. Other server options (-c …) can follow in PGOPTIONS.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(
        part for part in ("-c jit=off", options.get("options", "")) if part
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout: five failed logins for one username from one address lock it for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("GONGXIN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("GONGXIN_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False

# Session timeout: idle sessions end after GONGXIN_SESSION_MINUTES (default 30).
SESSION_COOKIE_AGE = int(os.environ.get("GONGXIN_SESSION_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("GONGXIN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("GONGXIN_BEHIND_PROXY", False) else None
)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("GONGXIN_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("GONGXIN_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = True

# Uploads larger than 2.5 MB go to a temporary file, never wholly into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
GONGXIN_IMPORT_MAX_BYTES = int(os.environ.get("GONGXIN_IMPORT_MAX_MB", "200")) * 1024 * 1024
GONGXIN_IMPORT_DIR = VAR_DIR / "imports"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GONGXIN_LOG_LEVEL", "WARNING")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

# Gap analysis of chains (gongxin.chains.gaps): a node with local enterprises is weak below
# this many, or when one enterprise holds more of its revenue than this HHI allows.
# The issuer named on the monthly briefing (default: the city's 工业和信息化局).
GONGXIN_BUREAU = os.environ.get("GONGXIN_BUREAU", "")
GONGXIN_CHAIN_GAPS = {"min_enterprises": 3, "max_hhi": 0.5}

# Enterprise demands. The working days each step may take (dispatch, interim reply,
# resolution), per urgency and category, as JSON, e.g.
# {"dispatch": 1, "reply": 3, "resolve": 5, "urgent": {"resolve": 2},
#  "categories": {"land": {"resolve": 20}}}; the desk is the division of this code.
GONGXIN_DEMAND_SLA = json.loads(os.environ.get("GONGXIN_DEMAND_SLA") or "{}")
GONGXIN_DEMAND_DESK = os.environ.get("GONGXIN_DEMAND_DESK", "yxc")  # 运行监测协调处
GONGXIN_ATTACHMENT_MAX_MB = int(os.environ.get("GONGXIN_ATTACHMENT_MAX_MB", "10"))
GONGXIN_ATTACHMENT_MAX_FILES = int(os.environ.get("GONGXIN_ATTACHMENT_MAX_FILES", "10"))

# Email: the console by default (messages printed); SMTP when GONGXIN_EMAIL_HOST is set.
if os.environ.get("GONGXIN_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["GONGXIN_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("GONGXIN_EMAIL_PORT", "465"))
    EMAIL_HOST_USER = os.environ.get("GONGXIN_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("GONGXIN_EMAIL_PASSWORD", "")
    EMAIL_USE_SSL = EMAIL_PORT == 465
    EMAIL_USE_TLS = not EMAIL_USE_SSL
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("GONGXIN_EMAIL_FROM", "gongxin@localhost")
