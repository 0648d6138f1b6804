"""Production: no debug, a real secret key, HTTPS everywhere."""

from django.core.exceptions import ImproperlyConfigured

from digest_site.env import env_bool, env_int, env_str

from .base import *  # noqa: F403

DEBUG = False
# Refuse to start without a real secret: no default, and not the development one.
SECRET_KEY = env_str("SECRET_KEY")
if (
    len(SECRET_KEY) < 50
    or len(set(SECRET_KEY)) < 5
    or SECRET_KEY.startswith(("dev-", "django-insecure"))
):
    raise ImproperlyConfigured(
        "SECRET_KEY must be a random string of at least 50 characters in production."
    )

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Behind the front proxy (deploy/nginx), which sets X-Forwarded-Proto to its own scheme and never
# passes on a client's; gunicorn trusts it too (--forwarded-allow-ips in docker-compose.yml).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# Always SMTP: to EMAIL_HOST, or to a mail server on this machine (localhost:25).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", SMTP_EMAIL_BACKEND)  # noqa: F405
if not EMAIL_HOST:  # noqa: F405
    EMAIL_HOST = "localhost"
