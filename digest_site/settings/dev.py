"""Local development: debug pages, mail printed to the console."""

from digest_site.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# Mail is printed to the terminal so a developer can read it without an SMTP server.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Static files: production's storage. With DEBUG on, pages link the plain names, which
# runserver serves from the app folders (no collectstatic needed); `make run`'s collectstatic
# writes the manifest too, so gunicorn with production settings works after it.
