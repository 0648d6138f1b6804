"""Local development: debug pages, mail printed to the console."""

from digest_site.env import env_bool, env_choice, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# Mail is printed to the terminal so a developer can read it without an SMTP server.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Plain static storage so a missing collectstatic does not break a page while developing.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Passwords only, so the demo logins work as printed; DIGEST_STAFF_2FA=required tries it out.
DIGEST_STAFF_2FA = env_choice("DIGEST_STAFF_2FA", ("off", "offered", "required"), "off")
