"""Production settings. Refuses to start when misconfigured rather than run unsafely."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env

from .base import *

HMS_ENVIRONMENT = "production"

if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production (unset DEBUG or set DEBUG=0).")
if not SECRET_KEY or SECRET_KEY == INSECURE_DEFAULT_SECRET_KEY:
    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) to a long random value.")
if not FIELD_ENCRYPTION_KEY:
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEY (or FIELD_ENCRYPTION_KEY_FILE) to a Fernet key; generate one "
        'with: python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key()'
        '.decode())"'
    )
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS to the host names this server answers to.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"

# Keep database connections between requests (each gunicorn worker reuses its own): a new
# connection per request costs a TCP and authentication handshake and throws away the
# connection's prepared statements. Health checks drop a connection the server closed.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if "replica" in DATABASES:
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
