import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digest_site.settings.production")
# Web requests give up on a slow or locked database long before gunicorn's 30 s timeout would
# kill the worker (digest_site.database.time_limits); they answer the 503 page instead.
os.environ.setdefault("DIGEST_DB_STATEMENT_TIMEOUT_MS", "5000")
os.environ.setdefault("DIGEST_DB_LOCK_TIMEOUT_MS", "3000")

application = get_wsgi_application()
