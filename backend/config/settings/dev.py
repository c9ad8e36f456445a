"""Local development and `make demo`: DEBUG on, embedded services unless configured."""

from config.env import env

from .base import *  # noqa: F403

HMS_ENVIRONMENT = "development"
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
# Serve static files straight from the apps without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
if DEBUG and "rest_framework.renderers.BrowsableAPIRenderer" not in REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")
