import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.prod")

application = get_wsgi_application()

from hms.core.warmup import warm_up_start  # noqa: E402  (after Django is set up)

# Import the URL configuration, and with it every API module, while the server starts (once,
# in gunicorn's master when it preloads) instead of during each worker's first request.
get_resolver().url_patterns  # noqa: B018

# The drug dictionary and the ICD-10 list load in the background while the server starts
# listening (HMS_WARM_UP_AT_START); a request that needs one meanwhile waits for that load. In
# gunicorn's preloading master, each worker finishes what the master had not loaded at fork.
warm_up_start()
