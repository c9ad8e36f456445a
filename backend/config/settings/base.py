"""Settings shared by every environment. Everything that differs comes from the environment.

No configuration at all gives the embedded stack: SQLite in data/ (holding the cache too), eager
Celery and the in-memory channel layer. DATABASE_URL, REDIS_URL and CELERY_BROKER_URL switch to
PostgreSQL/MariaDB, Redis and a real broker.
"""

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from config.env import BACKEND_DIR, REPO_DIR, env, env_secret

HMS_ENVIRONMENT = "base"
# Used only by dev/test; settings.prod refuses to start with it.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-hms-development-only-do-not-use-in-production"
SECRET_KEY = env_secret("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

HOSPITAL_NAME = env.str("HOSPITAL_NAME", default="HMS General Hospital")
# Where patients come for their appointments, printed on appointment slips.
HOSPITAL_ADDRESS = env.str("HOSPITAL_ADDRESS", default="")
# The logo on printed documents (default: hms/core/static/core/logo.png).
HOSPITAL_LOGO_PATH = env.str("HOSPITAL_LOGO_PATH", default="")
# ISO 4217 code of the one currency the hospital bills in (tariffs, invoices, payments).
HOSPITAL_CURRENCY = env.str("HOSPITAL_CURRENCY", default="USD")
# The patient's share of an insurance claim when the claim does not give one (percent).
BILLING_DEFAULT_COPAY_PERCENT = env.str("BILLING_DEFAULT_COPAY_PERCENT", default="0")

# Fernet key(s), comma-separated, newest first, for sensitive identifiers encrypted at rest
# (national ID, insurance numbers). Unset in dev/test: derived from SECRET_KEY. Production
# requires it, so rotating SECRET_KEY can never make stored identifiers unreadable.
FIELD_ENCRYPTION_KEY = env_secret("FIELD_ENCRYPTION_KEY", default="")
# Backups (`manage.py backup`/`restore`): archives are encrypted with this key (32 bytes,
# URL-safe base64: `python -c "from hms.core.stream_crypto import new_key; print(new_key())"`),
# kept outside the database and away from the archives.
BACKUP_ENCRYPTION_KEY = env_secret("BACKUP_ENCRYPTION_KEY", default="")
# GET /metrics (Prometheus): scrapers on these networks, or bearing this token, may read it.
METRICS_TOKEN = env_secret("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.1/32", "::1/128"])
BREAK_GLASS_HOURS = env.int("BREAK_GLASS_HOURS", default=12)

INSTALLED_APPS = [
    # First: its runserver serves ASGI (HTTP and the WebSockets of hms.core.consumers).
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "channels",
    "hms.core",
    "hms.accounts",
    "hms.patients",
    "hms.clinical",
    "hms.web",
    "hms.appointments",
    "hms.radiology",
    "hms.laboratory",
    "hms.inpatient",
    "hms.billing",
    "hms.pharmacy",
    "hms.assistant",
    "hms.telemedicine",
    "hms.reporting",
]

MIDDLEWARE = [
    # Outermost, so the latency it measures is the whole request (hms.core.metrics).
    "hms.core.metrics.MetricsMiddleware",
    "hms.core.middleware.RequestIdMiddleware",
    "hms.core.middleware.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "hms.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "hms.core.middleware.RequestLogMiddleware",
    # After authentication: a writing user's next reads stay on the primary (no replica, no cost).
    "hms.core.db_router.ReplicaRoutingMiddleware",
    "hms.core.middleware.RefusalAuditMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BACKEND_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATA_DIR = Path(env.str("HMS_DATA_DIR", default=str(REPO_DIR / "data")))
BACKUP_DIR = Path(env.str("BACKUP_DIR", default=str(DATA_DIR / "backups")))
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'hms.sqlite3'}"),
}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets readers run beside a writer; IMMEDIATE takes the write lock at BEGIN so two
    # writers queue instead of failing with "database is locked" halfway through.
    _db.setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
elif _db["ENGINE"] == "django.db.backends.mysql":
    # PyMySQL is pure Python, so MariaDB/MySQL works without compiling mysqlclient.
    import pymysql

    pymysql.install_as_MySQLdb()
    _db.setdefault("OPTIONS", {}).update({"charset": "utf8mb4"})
    # MySQL/MariaDB cannot create UniqueConstraint(condition=...) (check models.W036): the
    # services keep each of those rules with a row lock and a check instead (hms.core.locks),
    # and hms/core/tests/test_locks.py fails for one that is not listed there.
    SILENCED_SYSTEM_CHECKS = ["models.W036"]
_db["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
if _db["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    # Parameters travel separately from the SQL, and a statement a connection runs a second
    # time is prepared and from then on only executed: PostgreSQL parses and plans each of the
    # booking's statements once per connection instead of on every request (about half of its
    # CPU per booking). psycopg forgets every prepared statement at a ROLLBACK (a refused
    # double booking is one), so a low threshold gets them back at once (bench/README.md).
    # Turn it off behind PgBouncer in transaction pooling mode, where a prepared statement may
    # not be on the next transaction's server connection.
    _db.setdefault("OPTIONS", {}).update(
        {
            "server_side_binding": True,
            "prepare_threshold": env.int("DB_PREPARE_THRESHOLD", default=1),
        }
    )
if _db["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend with row locks that leave foreign-key checks alone (FOR NO KEY UPDATE):
    # the lock order in hms.core.locks depends on it.
    _db["ENGINE"] = "hms.core.postgresql"
# A PostgreSQL streaming replica for read-only work (hms.core.db_router): reports, searches and
# FHIR reads go to it; writes, and a user's reads just after their own writes, to the primary.
_replica_url = env.str("DATABASE_REPLICA_URL", default="")
if _replica_url:
    DATABASES["replica"] = {
        **env.db_url_config(_replica_url),
        "ENGINE": _db["ENGINE"],
        "OPTIONS": dict(_db.get("OPTIONS", {})),
        "CONN_MAX_AGE": _db["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # Tests read the replica through the primary's test database.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["hms.core.db_router.PrimaryReplicaRouter"]
# How long a user's reads stay on the primary after they wrote (replication lag), and how long
# a replica that did not answer is left alone before it is tried again.
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
REPLICA_RETRY_SECONDS = env.int("REPLICA_RETRY_SECONDS", default=10)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery, Channels ---------------------------------------------------------------
# "default" is shared by every process: Redis, or without it Django's database cache (its
# table is created by `migrate`). Throttle counts are rows of their own (hms.core.throttling).
# "versioned" holds read-mostly data under keys carrying its version, never stale in any one
# process: Redis too when there is one, else each process's memory (a database round trip
# would cost what the cache saves).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    _redis_cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient"},
    }
    CACHES = {"default": _redis_cache, "versioned": _redis_cache}
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "hms_cache",
        },
        "versioned": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "versioned",
        },
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
CELERY_TIMEZONE = "UTC"
# Periodic tasks are declared here, in one place.
CELERY_BEAT_SCHEDULE: dict = {
    "appointment-reminders": {
        "task": "hms.appointments.tasks.send_due_appointment_reminders",
        "schedule": 10 * 60,  # every 10 minutes; each appointment is reminded once
    },
    "billing-bed-days": {
        "task": "hms.billing.tasks.charge_bed_days_of_current_admissions",
        # Nightly at 00:30 UTC; each bed-day is charged once, whenever the run happens.
        "schedule": crontab(hour=0, minute=30),
    },
    "critical-alert-escalation": {
        "task": "hms.core.tasks.escalate_overdue_critical_alerts",
        "schedule": 60,  # every minute; each alert is escalated once
    },
    "report-schedules": {
        "task": "hms.reporting.tasks.send_due_report_schedules",
        "schedule": 15 * 60,  # every 15 minutes; each period of a schedule is sent once
    },
    "report-summaries-nightly": {
        "task": "hms.reporting.tasks.refresh_report_summaries_nightly",
        # Nightly at 01:00 UTC: yesterday, the days marked dirty and the last 7 days again.
        "schedule": crontab(hour=1, minute=0),
    },
    "pharmacy-stock-alerts": {
        "task": "hms.pharmacy.tasks.notify_stock_alerts",
        "schedule": 24 * 60 * 60,  # daily: low stock and batches expiring within 90 days
    },
}
# A critical alert (critical lab value, NEWS2 >= 5 or a 3 in one parameter, critical imaging
# finding, severe safety override) not acknowledged within this many minutes goes to the ward's
# nurses or the recipient's colleagues on duty (hms.core.escalation).
CRITICAL_ALERT_ESCALATION_MINUTES = env.int("CRITICAL_ALERT_ESCALATION_MINUTES", default=30)
# How far ahead patients and staff may book.
APPOINTMENT_BOOKING_HORIZON_DAYS = env.int("APPOINTMENT_BOOKING_HORIZON_DAYS", default=180)
# Plausible dates (hms.core.plausible_dates): how far ahead of the server's clock a clinical,
# laboratory or billing time may be (device clocks differ), and the window a tariff price
# version may start or end in (years back and ahead of today).
CLINICAL_CLOCK_SKEW_MINUTES = env.int("CLINICAL_CLOCK_SKEW_MINUTES", default=5)
TARIFF_DATE_YEARS_BACK = env.int("TARIFF_DATE_YEARS_BACK", default=10)
TARIFF_DATE_YEARS_AHEAD = env.int("TARIFF_DATE_YEARS_AHEAD", default=2)

# Telemedicine (hms.telemedicine): a teleconsult's room opens this many minutes before the
# appointment and closes this many minutes after its end (or when the doctor ends the consult).
TELECONSULT_ROOM_OPENS_MINUTES = env.int("TELECONSULT_ROOM_OPENS_MINUTES", default=15)
TELECONSULT_ROOM_CLOSES_MINUTES = env.int("TELECONSULT_ROOM_CLOSES_MINUTES", default=30)
# Chat messages a user may send in one conversation: "<count>/<seconds>".
CHAT_RATE_LIMIT = env.str("CHAT_RATE_LIMIT", default="20/10")
# RTCIceServer dicts for the video calls as a JSON list, e.g.
# [{"urls": ["turn:turn.example.org:3478"], "username": "hms", "credential": "..."}].
# None are needed on a LAN.
WEBRTC_ICE_SERVERS = env.json("WEBRTC_ICE_SERVERS", default=[])

# AI prescription analysis (hms.assistant): "local" (default, offline), "groq" (needs
# GROQ_API_KEY) or "openai" (any OpenAI-compatible endpoint). Only de-identified clinical text
# is sent; on timeout or error the local analyser answers and the response says so.
ASSISTANT_PROVIDER = env.str("ASSISTANT_PROVIDER", default="local")
ASSISTANT_TIMEOUT_SECONDS = env.float("ASSISTANT_TIMEOUT_SECONDS", default=20.0)
GROQ_API_KEY = env_secret("GROQ_API_KEY", default="")
GROQ_MODEL = env.str("GROQ_MODEL", default="llama-3.3-70b-versatile")
GROQ_BASE_URL = env.str("GROQ_BASE_URL", default="")
ASSISTANT_OPENAI_BASE_URL = env.str("ASSISTANT_OPENAI_BASE_URL", default="")
ASSISTANT_OPENAI_API_KEY = env_secret("ASSISTANT_OPENAI_API_KEY", default="")
ASSISTANT_OPENAI_MODEL = env.str("ASSISTANT_OPENAI_MODEL", default="")

# Load the slow reference tables (drug-name dictionary, WHO ICD-10 list) in a background thread
# when a server or Celery worker process starts, so the first analysis or code lookup is fast
# (hms.core.warmup). Off in the test settings: most tests never use them.
HMS_WARM_UP_AT_START = env.bool("HMS_WARM_UP_AT_START", default=True)

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"
# Lockout: this many failed attempts for a username lock it for LOGIN_LOCKOUT_MINUTES.
LOGIN_MAX_FAILED_ATTEMPTS = env.int("LOGIN_MAX_FAILED_ATTEMPTS", default=5)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", default=15)

# Independent hash chains the audit log is spread over (1-64); more chains, less lock waiting.
AUDIT_CHAIN_SHARDS = env.int("AUDIT_CHAIN_SHARDS", default=8)

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("HOSPITAL_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(REPO_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files live outside any public URL; they are served only by authorised views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = None
# Clinical documents (hms.clinical): the largest accepted file, in MB; larger answers 413.
DOCUMENT_MAX_UPLOAD_MB = env.int("DOCUMENT_MAX_UPLOAD_MB", default=20)
# One DICOM file (radiology images: a CT or MR series is many files of well under this).
RADIOLOGY_MAX_UPLOAD_MB = env.int("RADIOLOGY_MAX_UPLOAD_MB", default=100)
# Files above 2.5 MB stream to a temporary file instead of memory (the 5 MB
# DATA_UPLOAD_MAX_MEMORY_SIZE below limits the non-file part of a request only).
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

# --- REST framework ------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "hms.accounts.authentication.HmsJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every view must name its resource in hms.core.permissions.PERMISSIONS.
    "DEFAULT_PERMISSION_CLASSES": ["hms.core.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "hms.core.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "hms.core.openapi.HmsAutoSchema",
    "EXCEPTION_HANDLER": "hms.core.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "hms.core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": [],
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("THROTTLE_LOGIN", default="30/min"),
        "register": env.str("THROTTLE_REGISTER", default="10/min"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "public_id",
    "USER_ID_CLAIM": "user_id",
    # Tokens carry a hash of the password they were issued under: a password change or reset
    # ends every access token at once, not only the refresh tokens (which are blacklisted).
    "CHECK_REVOKE_TOKEN": True,
    "AUTH_HEADER_TYPES": ("Bearer",),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "HMS API",
    "DESCRIPTION": "Hospital management system REST API. Authenticate with POST /api/login/ "
    "and send `Authorization: Bearer <access>`.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `status`, `type` or `sex` field with different choices: name each
    # enum after its model so clients get stable, meaningful names.
    "ENUM_NAME_OVERRIDES": {
        "SexEnum": "hms.patients.models.Sex",
        "ReportFrequencyEnum": "hms.reporting.models.ReportFrequency",
        "FrequencyEnum": "hms.pharmacy.models.Frequency",
        "BloodGroupEnum": "hms.patients.models.BloodGroup",
        "AllergyCategoryEnum": "hms.patients.models.AllergyCategory",
        "AllergySeverityEnum": "hms.patients.models.AllergySeverity",
        "AllergyStatusEnum": "hms.patients.models.AllergyStatus",
        "ChartSectionEnum": "hms.patients.access.ChartSection",
        "EncounterTypeEnum": "hms.clinical.models.EncounterType",
        "EncounterStatusEnum": "hms.clinical.models.EncounterStatus",
        "DiagnosisTypeEnum": "hms.clinical.models.DiagnosisType",
        "ProblemStatusEnum": "hms.clinical.models.ProblemStatus",
        "DocumentTypeEnum": "hms.clinical.models.DocumentType",
        "WeekdayEnum": "hms.appointments.models.Weekday",
        "ExceptionKindEnum": "hms.appointments.models.ExceptionKind",
        "AppointmentStatusEnum": "hms.appointments.models.AppointmentStatus",
        "WardTypeEnum": "hms.inpatient.models.WardType",
        "BedStatusEnum": "hms.inpatient.models.BedStatus",
        "AdmissionStatusEnum": "hms.inpatient.models.AdmissionStatus",
        "AdmissionTypeEnum": "hms.inpatient.models.AdmissionType",
        "AdministrationStatusEnum": "hms.inpatient.models.AdministrationStatus",
        "FluidKindEnum": "hms.inpatient.models.FluidKind",
        "AuditActionEnum": "hms.core.models.AuditAction",
        "AuditOutcomeEnum": "hms.core.models.AuditOutcome",
        "RoleEnum": "hms.core.roles.Role",
    },
}

# --- Logging: JSON lines, each with the request id ------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hms.core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Request lines come from hms.request; Django's own server log would duplicate them.
        "django.server": {"handlers": [], "propagate": False},
        "django.request": {"level": "ERROR"},
    },
}

# --- Security headers common to all environments --------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hms@localhost")
# SMTP for password-reset emails (EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10
# A password-reset link works once and for this long.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_SECONDS", default=60 * 60)

# Content-Security-Policy on every page (hms.web.csp): the portal loads only its own vendored
# static files and has no inline script or style. Swagger UI ships inline code: exempt.
CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
CSP_EXEMPT_PATH_PREFIXES = ["/api/docs/"]
SMS_BACKEND = env.str("SMS_BACKEND", default="hms.core.sms.ConsoleSmsBackend")

# Where X-Forwarded-For can be trusted (behind nginx): the number of proxies in front.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)
