"""Test settings: fast hashing, eager Celery, locmem mail; DATABASE_URL still selects the DB."""

import tempfile

from .base import *

HMS_ENVIRONMENT = "test"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
# Each test process its own memory: fast, and a test's counts stay its own. The shared cache
# is tested with several gunicorn workers (hms/core/tests/test_shared_throttle.py).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "versioned": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "versioned",
    },
}
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
WHITENOISE_USE_FINDERS = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"login": "10000/min", "register": "10000/min"}
LOGGING["root"]["level"] = "WARNING"
# Under pytest, backend/conftest.py moves MEDIA_ROOT to the session's temporary directory.
MEDIA_ROOT = DATA_DIR / "test-media"
# WhiteNoise serves from the finders here; an existing STATIC_ROOT keeps it from warning. It
# stays empty, and outside the working tree.
STATIC_ROOT = Path(tempfile.gettempdir()) / "hms-test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
SMS_BACKEND = "hms.core.sms.LocmemSmsBackend"
# One chain keeps sequence numbers predictable in tests; the sharded case has its own tests.
AUDIT_CHAIN_SHARDS = 1
# Nothing loads in the background under tests; a test that needs the drug dictionary or the
# ICD-10 list loads it on first use (the warm-up has its own tests).
HMS_WARM_UP_AT_START = False
