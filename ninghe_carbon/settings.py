"""One settings module for every machine; values come from the environment.

A laptop with nothing set gets SQLite, eager Celery and DEBUG on. Production sets DEBUG=false and
must then provide SECRET_KEY, or start-up fails loudly; DEBUG off also turns on secure cookies, HSTS,
the HTTPS redirect and hashed, compressed static files (each can be changed by its own variable).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)

_DEV_SECRET = "dev-only-insecure-key-ninghe-carbon"
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninghe_carbon.apps.AxesConfig",
    "departments",
    "notifications",
    "targets",
    "indicators",
    "tasks",
    "results",
    "supervision",
    "meetings",
    "dashboard",
    "evaluation",
    "cityreport",
    "backup",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "ninghe_carbon.middleware.RefusedRequestLogMiddleware",  # outermost: sees every refusal, even a bad Host
    "django.middleware.security.SecurityMiddleware",
    *([] if DEBUG else ["whitenoise.middleware.WhiteNoiseMiddleware"]),  # production static files; see STORAGES
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ninghe_carbon.middleware.ChineseFirstLocaleMiddleware",
    "ninghe_carbon.middleware.LongUrlMiddleware",  # after the locale: its answer is in the user's language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ninghe_carbon.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "ninghe_carbon.context_processors.demo_mode",
                "ninghe_carbon.context_processors.roles",
                "ninghe_carbon.context_processors.keep_filters",
            ],
            "libraries": {"layout": "ninghe_carbon.templatetags.layout"},
        },
    },
]

WSGI_APPLICATION = "ninghe_carbon.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,  # a connection broken by a database restart is replaced, not reused
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Several app servers share one cache (the overview's rendered pages) through Redis; one process keeps its own.
# The cache only saves work: when Redis is down, pages are computed (ninghe_carbon.cache), after at most a
# half-second wait for the connection.
if os.environ.get("CACHE_URL"):
    CACHES = {
        "default": {
            "BACKEND": "ninghe_carbon.cache.ResilientRedisCache",
            "LOCATION": os.environ["CACHE_URL"],
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

# Log-in lock-out (django-axes): an account is locked, from the address that tried, for AXES_COOLOFF_MINUTES after
# AXES_FAILURE_LIMIT wrong passwords in a row. By account and address together, so that colleagues behind the same
# office NAT, or the real user at another desk, are not locked out by someone else's guesses. Attempts live in
# the database, so every app server behind the load balancer sees them.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "ninghe_carbon.security.client_ip"
# How many reverse proxies (nginx, the load balancer) stand in front of gunicorn; 0 when clients connect directly.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# The proxies' own addresses (or networks): X-Forwarded-For is believed only on connections from these, so a
# client that reaches gunicorn directly cannot forge its address (ninghe_carbon.security).
TRUSTED_PROXY_ADDRESSES = [
    part.strip() for part in os.environ.get("TRUSTED_PROXY_ADDRESSES", "127.0.0.1,::1").split(",") if part.strip()
]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ninghe_carbon.views.locked_out"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Every asset is vendored under static/ (no CDN: government networks are often closed), plotly.js included: its
# cartesian partial bundle, which has every trace type the figures use (see static/plotly/README.md).
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Production serves static files from the app servers with whitenoise (hashed names, gzip/brotli, cached forever)
# after `collectstatic`; a laptop keeps Django's plain storage so nothing needs collecting.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Source maps only serve a developer's browser tools: compressing them would double collectstatic's time.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (*Compressor.SKIP_COMPRESS_EXTENSIONS, "map")

# HTTPS and cookies: on whenever DEBUG is off. Behind a TLS-terminating proxy (nginx, a load balancer) set
# BEHIND_TLS_PROXY=true so Django trusts its X-Forwarded-Proto header; SECURE_SSL_REDIRECT=false when the proxy
# already redirects plain HTTP.
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))  # one working day
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
CSRF_FAILURE_VIEW = "ninghe_carbon.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy on every response: scripts and styles only from this site's own files (no inline code,
# no CDN); Plotly draws the heatmap as a data: image. plotly.js adds its rules through the CSSOM into empty <style>
# elements (the hash of "" allows only an empty element) and inserts the stylesheet of the map library it bundles
# (plotly.js 4.1.1; the browser tests fail on any violation, so an upgrade that changes it is noticed).
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, *PLOTLY_STYLE_HASHES],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGIN_URL = "login"

# Celery: Redis when CELERY_BROKER_URL is set; otherwise jobs run eagerly in the calling process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Eager calls still borrow a producer; an in-memory one, named, so kombu does not warn of a missing broker host.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker, long jobs (the annual PDF) run on a thread of the web process, not inside the request
# (ninghe_carbon.background); tests switch this off to see each job's result when the request returns.
JOBS_IN_THREADS = env_bool("JOBS_IN_THREADS", True)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 3
# A job is acknowledged when it ends, not when it starts: if its worker is killed, Redis hands the job to another
# worker once CELERY_VISIBILITY_TIMEOUT has passed (checked every ~30 s). Every job is idempotent, and the
# timeout is above the longest job (a PDF or a full recompute takes well under a minute), so a slow job is not
# run twice. Jobs that die anyway are marked failed by the minute's expiry sweep (evaluation.services).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300")),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 3,
}
CELERY_BEAT_SCHEDULE = {
    "process-pending-recomputes": {"task": "results.jobs.process_pending_recomputes", "schedule": 300.0},
    "nightly-full-recompute": {  # plans whose inputs changed since their last full recompute
        "task": "results.jobs.full_recompute",
        "schedule": crontab(hour=2, minute=0),
    },
    "weekly-forced-recompute": {  # every plan, whatever its inputs: the net under the net
        "task": "results.jobs.full_recompute",
        "schedule": crontab(hour=3, minute=0, day_of_week="sunday"),
        "kwargs": {"force": True},
    },
    "detect-overdue-reports": {
        "task": "results.jobs.detect_overdue_reports",
        "schedule": crontab(hour=8, minute=30),
    },
    "announce-overdue-notices": {  # supervision notices past their deadline: mail once per deadline
        "task": "supervision.jobs.announce_overdue_notices",
        "schedule": crontab(hour=8, minute=40),
    },
    "expire-stale-report-files": {"task": "evaluation.jobs.expire_stale_report_files", "schedule": 60.0},
    "requeue-stale-webhook-deliveries": {  # robot messages whose job was lost (broker down, worker died)
        "task": "notifications.jobs.requeue_stale_webhook_deliveries",
        "schedule": 300.0,
    },
    "expire-stale-city-report-files": {"task": "cityreport.jobs.expire_stale_city_report_files", "schedule": 60.0},
    "prune-computation-runs": {"task": "results.jobs.prune_computation_runs", "schedule": crontab(hour=4, minute=0)},
}

# The progress rules' numbers (see progress.maths.Rules); the office's policy, set per installation.
PROGRESS_RULES = {
    "on_track_margin": float(os.environ.get("PROGRESS_ON_TRACK_MARGIN", "10")),
    "at_risk_margin": float(os.environ.get("PROGRESS_AT_RISK_MARGIN", "25")),
    "approx_tolerance": float(os.environ.get("PROGRESS_APPROX_TOLERANCE", "0.05")),
}

# The plan every page defaults to when none is named in the URL.
DEFAULT_PLAN_CODE = os.environ.get("DEFAULT_PLAN_CODE", "ninghe-2023")

# The run script sets DEMO_MODE for the demo installation; every page then carries a demo banner.
DEMO_MODE = env_bool("DEMO_MODE", False)

# Uploaded evidence lives outside the static root and is served only through a permission-checking view.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
FILE_UPLOAD_PERMISSIONS = 0o640

# Without a mail server configured, mail is written to files in mail-outbox/ for a person to read.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(BASE_DIR / "mail-outbox"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ninghe-carbon@localhost")
LOGIN_REDIRECT_URL = "tasks:home"
LOGOUT_REDIRECT_URL = "login"

# One JSON object per log line on stderr (journald or docker collect it): every workflow action
# ("ninghe.workflow") and every refused request ("ninghe.refused") carries its fields as keys.
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint narrates each layout step at INFO and fontTools each subset: noise beside the report job's own lines.
    "loggers": {
        "django.server": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The machine API (/api/v1/): token or session sign-in, paginated lists, errors in the caller's language.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "api.renderers.BrowsableAPIWithInlineStyles"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "宁河区碳达峰实施方案进展跟踪 API",
    "DESCRIPTION": "读取方案、指标、目标及其进展，报送本单位的季度报告。用法见 README 的 API 一节。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},  # no badge fetched from swagger.io
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportStatusEnum": "tasks.models.ReportStatus",
        "TaskStatusEnum": "tasks.models.TaskStatus",
        "TargetStatusEnum": "results.models.TargetStatus",
        "PlanStatusEnum": "targets.models.Plan.Status",
        "FigureKindEnum": "indicators.models.FigureKindChoices",
        "NoticeStatusEnum": "supervision.models.Status",
        "NoticeLevelEnum": "supervision.models.Level",
        "NoticeSubjectKindEnum": "supervision.models.SubjectKind",
        "NoticeStepActionEnum": "supervision.models.NoticeStep.Action",
    },
}
