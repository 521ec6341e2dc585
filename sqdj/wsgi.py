import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sqdj.settings")
application = get_wsgi_application()

# Load every view module now, then exempt what is loaded from the cyclic garbage collector's full collections: the
# app's hundreds of thousands of objects live as long as the process, and scanning them all again paused a request
# by 50–150 ms every few dozen list pages (docs/performance.md). Under `gunicorn --preload` the workers share them.
get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view)
gc.collect()
gc.freeze()
