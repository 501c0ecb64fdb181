"""One settings module for every machine; values come from the environment.

A laptop with nothing set gets SQLite, eager Celery and DEBUG on. Production sets DEBUG=false and
must then provide SECRET_KEY, or start-up fails loudly.
"""

import os
from pathlib import Path

import dj_database_url
import plotly
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

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
    "departments",
    "targets",
    "indicators",
    "tasks",
    "results",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ninghe_carbon.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        },
    },
]

WSGI_APPLICATION = "ninghe_carbon.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
# plotly.js comes from the plotly package itself (no CDN: government networks are often closed).
STATICFILES_DIRS = [BASE_DIR / "static", ("plotly", Path(plotly.__file__).parent / "package_data")]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

LOGIN_URL = "login"

# Celery: Redis when CELERY_BROKER_URL is set; otherwise jobs run eagerly in the calling process.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 3
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
