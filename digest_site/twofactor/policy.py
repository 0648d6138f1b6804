"""Who gives a second factor at sign-in. Views, middleware and templates ask here only.

DIGEST_STAFF_2FA:
- "off": passwords only; the code step and the set-up page do not exist.
- "offered": staff may set up an authenticator app; whoever has one gives its code.
- "required": as offered, and superusers and members of DIGEST_2FA_REQUIRED_GROUPS (the
  reviewers) must have one: without it they set one up before they reach any staff page.
"""

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

OFF, OFFERED, REQUIRED = "off", "offered", "required"
MODES = (OFF, OFFERED, REQUIRED)

DEVICE_NAME = "Authenticator app"
BACKUP_NAME = "Backup codes"
# Enough for a few sign-ins while a lost phone is replaced (each code works once).
BACKUP_CODES = 10


def mode():
    return settings.DIGEST_STAFF_2FA


def is_on():
    return mode() != OFF


def _is_staff(user):
    return user.is_active and (user.is_staff or user.is_superuser)


def is_required_for(user):
    """Whether this account may not sign in without a second factor (a query for its groups)."""
    if mode() != REQUIRED or not _is_staff(user):
        return False
    return (
        user.is_superuser
        or user.groups.filter(name__in=settings.DIGEST_2FA_REQUIRED_GROUPS).exists()
    )


def confirmed_device(user):
    """The authenticator app this account set up, or None (one query)."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def needs_code(user):
    """Whether signing in as this account takes a code: it has an app, or must have one.

    Off: never. Costs up to two queries otherwise (the device, then the groups).
    """
    if not is_on() or not _is_staff(user):
        return False
    return confirmed_device(user) is not None or is_required_for(user)


def may_set_up(user):
    """Staff may add an authenticator app whenever two-factor sign-in is on."""
    return is_on() and _is_staff(user)


def unconfirmed_device(user):
    """The app being set up: one unconfirmed device per account, made on first visit."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def backup_device(user):
    """The account's single-use backup codes (a django-otp static device), or None."""
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


@transaction.atomic
def issue_backup_codes(user):
    """New backup codes for the account, replacing any earlier ones; returns them (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes
