"""Signed links for confirming and unsubscribing: nothing secret is stored.

A token is the subscriber's id and a counter, signed with SECRET_KEY and a salt of its own
(django.core.signing), so a confirmation token cannot unsubscribe and the other way round.
A confirmation token also carries the time it was made and expires after
DIGEST_NEWSLETTER_CONFIRM_HOURS; it names the request it answers (`confirmation_count`), so
asking again makes older links invalid. An unsubscribe token does not expire (it sits in old
emails) and names `link_version`, which an admin can raise to revoke every link sent so far.
"""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "newsletter.confirm"
UNSUBSCRIBE_SALT = "newsletter.unsubscribe"


def confirmation_token(subscriber):
    return signing.dumps([subscriber.pk, subscriber.confirmation_count], salt=CONFIRM_SALT)


def unsubscribe_token(subscriber_id, link_version):
    return signing.dumps([subscriber_id, link_version], salt=UNSUBSCRIBE_SALT)


def _read(token, salt, max_age=None):
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(part, int) and not isinstance(part, bool) for part in value)
    ):
        return value
    return None


def read_confirmation(token):
    """[subscriber id, confirmation count], or None when forged, altered or expired."""
    return _read(token, CONFIRM_SALT, max_age=settings.DIGEST_NEWSLETTER_CONFIRM_HOURS * 3600)


def read_unsubscribe(token):
    """[subscriber id, link version], or None when forged or altered."""
    return _read(token, UNSUBSCRIBE_SALT)
