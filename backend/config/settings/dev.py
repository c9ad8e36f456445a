"""Local development and `make demo`: DEBUG on, embedded services unless configured."""

from config.env import env

from .base import *

HMS_ENVIRONMENT = "development"
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
# Serve static files straight from the apps without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
_BROWSABLE = "rest_framework.renderers.BrowsableAPIRenderer"
if DEBUG and _BROWSABLE not in REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(_BROWSABLE)
# WhiteNoise serves from the finders here; an existing STATIC_ROOT keeps it from warning.
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
