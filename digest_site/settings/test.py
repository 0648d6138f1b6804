"""Tests: PostgreSQL like everywhere else, but fast hashing and in-memory mail and cache."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-deployment-0123456789abcdef"
# A fast hasher: password hashing would otherwise dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail kept in memory (mail.outbox), unless EMAIL_HOST points at a test's SMTP server (the
# queue worker a test starts in a child process).
_LOCMEM_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EMAIL_BACKEND = SMTP_EMAIL_BACKEND if EMAIL_HOST else _LOCMEM_EMAIL_BACKEND  # noqa: F405
# Tests must not share a cache with a developer's server or with each other's runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# No collectstatic needed to render pages in tests.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
# Serve static files straight from the app folders: tests never run collectstatic first.
WHITENOISE_AUTOREFRESH = True
# Staff sign in with force_login across the suite; the two-factor tests turn it on.
DIGEST_STAFF_2FA = "off"
