"""One settings module. Everything comes from environment variables with safe
development defaults, so `pytest` and `make run` work with nothing set;
production differs only by environment (see README)."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(int(default))).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # Before the admin, so the translated fields show as language tabs.
    "modeltranslation",
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    "unfold.contrib.forms",
    "unfold.contrib.import_export",
    "associations.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "associations",
    "members",
    "certification",
    "audits",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every HTML page (config/csp.py).
    "config.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "members.middleware.UserLanguageMiddleware",
    "members.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "members.context_processors.roles",
                "members.context_processors.signup",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# allauth: email is the login; verification is mandatory for new sign-ups.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_ADAPTER = "members.adapters.AccountAdapter"
ACCOUNT_ALLOW_REGISTRATION = env_bool("ACCOUNT_ALLOW_REGISTRATION", False)
# Behind a reverse proxy every request comes from the proxy's address. allauth's
# login rate limits and our own throttles (members.adapters.client_address)
# take the client's address instead from X-Forwarded-For, the entry the last of
# TRUSTED_PROXY_COUNT proxies appended, or from a header that the proxy sets
# and the client cannot (TRUSTED_CLIENT_IP_HEADER, e.g. X-Real-IP). Never set
# either when clients can reach the server directly: they could choose their address.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER") or None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Certification platform")
# Superusers must enrol a second factor too (members.middleware); on in production.
MFA_REQUIRED_FOR_SUPERUSERS = env_bool("MFA_REQUIRED_FOR_SUPERUSERS", not DEBUG)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ur", "اردو"), ("bn", "বাংলা")]
LANGUAGES_BIDI = ["ur"]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Programme content (associations/translation.py) has a column per language.
# A missing translation falls back to English, then Urdu, then Bengali: never
# blank while one language has text (the association's default language is
# required in the admin).
# Urdu and Bengali dates day first (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "ur", "bn")
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Never served from a public URL: evidence and certificates go through views
# that check permission.
MEDIA_URL = None
# Local disk by default, written so that a failing disk leaves no partial
# file. FILE_STORAGE=s3: S3-compatible object storage shared by several
# machines (config/s3storage.py; README "Several machines").
FILE_STORAGE_BACKENDS = {"local": "config.storage.FileSystemStorage", "s3": "config.s3storage.S3Storage"}
# (The class names earlier releases documented still work.)
_file_storage = os.environ.get("FILE_STORAGE") or "local"
FILE_STORAGE = {"config.storage.FileSystemStorage": "local", "storages.backends.s3.S3Storage": "s3"}.get(
    _file_storage, _file_storage
)
if FILE_STORAGE not in FILE_STORAGE_BACKENDS:
    raise RuntimeError(f"FILE_STORAGE must be 'local' or 's3', not {_file_storage!r}")
STORAGES = {
    "default": {"BACKEND": FILE_STORAGE_BACKENDS[FILE_STORAGE]},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        ),
    },
}
if FILE_STORAGE == "s3":
    STORAGES["default"]["OPTIONS"] = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or the
        # machine's role (boto3's usual chain).
        # Private objects: no ACL is sent (the bucket blocks public access)
        # and the views stream the bytes after their permission check; a
        # URL, if anything ever asks for one, is signed and short-lived.
        "default_acl": None,
        "querystring_auth": True,
        "signature_version": "s3v4",
        "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "60")),
        "file_overwrite": False,
    }
# Certificates: one signing key per association, created by
# `manage.py create_signing_key <slug>`, kept outside the repository and the
# database. In development a missing key is created on first use.
SIGNING_KEY_DIR = Path(os.environ.get("SIGNING_KEY_DIR", VAR_DIR / "keys"))
SIGNING_KEY_AUTOCREATE = env_bool("SIGNING_KEY_AUTOCREATE", DEBUG)
# Public verification, per client address and minute (certification/throttles.py):
# lookups by number or uploaded PDF, and the certificate's own page and JSON
# (the QR code's link: only abuse should meet that limit).
VERIFY_LOOKUPS_PER_MINUTE = int(os.environ.get("VERIFY_LOOKUPS_PER_MINUTE", "20"))
VERIFY_PAGES_PER_MINUTE = int(os.environ.get("VERIFY_PAGES_PER_MINUTE", "300"))
# Customer survey submissions through a business's links: per network address,
# and per business (all addresses together; a poster in a busy shop shares one).
SURVEY_SUBMISSIONS_PER_ADDRESS = int(os.environ.get("SURVEY_SUBMISSIONS_PER_ADDRESS", "5"))
SURVEY_SUBMISSIONS_PER_BUSINESS = int(os.environ.get("SURVEY_SUBMISSIONS_PER_BUSINESS", "60"))
# Complaint forms sent per address per minute (certification/complaints).
COMPLAINTS_PER_MINUTE = int(os.environ.get("COMPLAINTS_PER_MINUTE", "5"))
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a silent mail server counts as down (the send is retried);
# Django's default waits forever and would hold the email's claim.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "certification@localhost")

# Celery. With REDIS_URL unset the broker is kombu's filesystem transport and
# results go to files, so a fresh machine runs a real worker and beat with no
# server to install.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_DIR = VAR_DIR / "celery"
REDIS_BROKER_OPTIONS = {
    # A message a killed worker held is redelivered after this many seconds.
    # Recovery does not wait for it: the sweep (every minute) re-queues work
    # whose claim lapsed. It must outlast the longest retry countdown, or
    # Redis would deliver a waiting retry twice.
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
    # How often a worker looks for such messages (kombu's defaults: 10 s x 10).
    "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
    "unacked_restore_throttle": int(os.environ.get("CELERY_UNACKED_RESTORE_THROTTLE", "10")),
    # A dead Redis must cost a request well under a second (with the publish
    # retry policy below), and a half-open connection must not hang a publish.
    "socket_connect_timeout": float(os.environ.get("CELERY_BROKER_CONNECT_TIMEOUT", "0.3")),
    "socket_timeout": float(os.environ.get("CELERY_BROKER_SOCKET_TIMEOUT", "5")),
}
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_OPTIONS
else:
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        # Broadcast (remote control) bindings; kombu's default is relative to the cwd.
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
        # kombu polls the folder once a second by default; /healthz gives the
        # worker's ping 1 s for the round trip.
        "polling_interval": 0.2,
    }
    # Their folders are created when the Celery app loads this configuration
    # (config/celery.py), never at import: settings load from a read-only checkout.
    CELERY_RESULT_BACKEND = f"file://{CELERY_DIR / 'results'}"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
# Our tasks record their effect in the database; nobody waits for a result
# (a task that is waited for, like the health ping, says so itself). Not
# subscribing to results also keeps a dead Redis from stalling a publish.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
# One quick second attempt, then give up: the caller logs it and the sweep
# queues the work again (kombu's default waits up to 0.6 s more, per publish).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0.1,
    "interval_step": 0,
    "interval_max": 0.1,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "daily-certificate-lifecycle": {
        "task": "certification.tasks.daily_lifecycle",
        "schedule": 24 * 3600,
    },
    # Live certification: KPI breaches, cure periods, suspensions (certification/live.py).
    "daily-surveillance": {
        "task": "certification.tasks.daily_surveillance",
        "schedule": 24 * 3600,
    },
    # Re-queues what was recorded and not done (issuance, emails, reminders,
    # imports): work lost with a broker or a worker resumes within two minutes.
    "sweep-missing-work": {
        "task": "certification.tasks.sweep",
        "schedule": 60,
    },
    # The public certificate pages count their views in Redis; added to the rows here.
    "flush-verification-counts": {
        "task": "certification.tasks.flush_verification_counts_task",
        "schedule": 60,
    },
    # Findings: reminders before the due date, majors past it. Hourly, so a
    # reminder whose message was lost is claimed again the same day.
    "findings-reminders-and-overdue": {
        "task": "audits.tasks.daily_findings",
        "schedule": 3600,
    },
    # CSAT, NPS and FCR computed from customer survey responses (members/surveys/kpis.py).
    "customer-kpis": {
        "task": "members.tasks.compute_customer_kpis_task",
        "schedule": 24 * 3600,
    },
    "delete-orphan-files": {
        "task": "certification.tasks.delete_orphan_files_task",
        "schedule": 24 * 3600,
    },
}

# Login rate limits (allauth), our throttles and the /healthz report live here.
# With Redis down, FallbackRedisCache serves from a per-process cache (limits
# count per process until Redis is back) instead of failing every login.
CACHES = {
    "default": (
        {"BACKEND": "config.cache.FallbackRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["members.api.auth.ApiTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Certification platform API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

UNFOLD = {
    "SITE_TITLE": _("Certification admin"),
    "SITE_HEADER": _("Certification admin"),
    "SHOW_LANGUAGES": True,
    # Each translated programme field's label ends with its language.
    "EXTENSIONS": {"modeltranslation": {"flags": {"en": "EN", "ur": "اردو", "bn": "বাংলা"}}},
    # The index is the association's work queues and charts.
    "DASHBOARD_CALLBACK": "audits.dashboard.dashboard_callback",
}

# Production hardening: on whenever DEBUG is off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REFERRER_POLICY = "same-origin"
# The healthz probe is hit over plain HTTP by load balancers.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# /healthz answers "ok"/"error" per component to anyone; with ?token=<this>
# (or to a superuser) it also says what the error was. Unset: superusers only.
HEALTHZ_TOKEN = os.environ.get("HEALTHZ_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs every rendering step at INFO; keep its warnings (e.g. .notdef glyphs).
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

# Service metric CSV imports: files with more rows than this go to a Celery task.
METRIC_IMPORT_SYNC_MAX_ROWS = int(os.environ.get("METRIC_IMPORT_SYNC_MAX_ROWS", "2000"))
METRIC_IMPORT_MAX_BYTES = int(os.environ.get("METRIC_IMPORT_MAX_BYTES", 10 * 1024 * 1024))
