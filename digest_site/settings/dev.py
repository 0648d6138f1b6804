"""Local development: debug pages, mail printed to the console."""

from digest_site.env import env_bool, env_choice

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
# Mail is printed to the terminal (base.py) unless EMAIL_HOST names an SMTP server.
# Static files: production's storage. With DEBUG on, pages link the plain names, which
# runserver serves from the app folders (no collectstatic needed); `make run`'s collectstatic
# writes the manifest too, so gunicorn with production settings works after it.
# Passwords only, so the demo logins work as printed; DIGEST_STAFF_2FA=required tries it out.
DIGEST_STAFF_2FA = env_choice("DIGEST_STAFF_2FA", ("off", "offered", "required"), "off")
