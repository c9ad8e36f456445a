import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

application = get_wsgi_application()

# Import the URL configuration, and with it every API module, while the server starts (once,
# in gunicorn's master when it preloads) instead of during each worker's first request.
get_resolver().url_patterns  # noqa: B018
