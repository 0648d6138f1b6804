"""Subscribing, confirming and unsubscribing: the rules, for the views and the admin.

Every sign-up gets the same answer whatever the address's state, and the request does the
same work in each case (one row written, one job queued), so neither the page nor its timing
tells whether an address is known. Mail goes out from the worker, never from the request.
"""

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from . import tokens
from .models import Subscriber


def request_subscription(email):
    """An address asks to subscribe: queue a confirmation email (sent by the worker unless the
    address is already subscribed). Re-subscribing after unsubscribing asks for a new
    confirmation. The same three queries whatever the address's state: an upsert, an update,
    the job."""
    from .tasks import send_confirmation

    confirmed = Q(status=Subscriber.Status.CONFIRMED)
    with transaction.atomic():
        [subscriber] = Subscriber.objects.bulk_create(
            [Subscriber(email=email, requested_at=timezone.now())],
            update_conflicts=True,
            unique_fields=["email"],
            update_fields=["requested_at"],
        )
        # A new confirmation link (which voids the older ones), unless already subscribed.
        Subscriber.objects.filter(pk=subscriber.pk).update(
            status=Case(When(confirmed, then=F("status")), default=Value("pending")),
            confirmation_count=Case(
                When(confirmed, then=F("confirmation_count")),
                default=F("confirmation_count") + 1,
            ),
        )
        send_confirmation.defer(subscriber_id=subscriber.pk)
    return subscriber


def subscriber_for_confirmation(token):
    """The pending or confirmed subscriber a confirmation link names, or None when it is
    forged, expired, or superseded by a newer request."""
    found = tokens.read_confirmation(token)
    if found is None:
        return None
    subscriber_id, count = found
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.confirmation_count != count:
        return None
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return None
    return subscriber


def confirm(subscriber):
    with transaction.atomic():
        locked = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if locked.status == Subscriber.Status.PENDING:
            locked.status = Subscriber.Status.CONFIRMED
            locked.confirmed_at = timezone.now()
            locked.save(update_fields=["status", "confirmed_at"])
    return locked


def subscriber_for_unsubscribe(token):
    found = tokens.read_unsubscribe(token)
    if found is None:
        return None
    subscriber_id, version = found
    return Subscriber.objects.filter(pk=subscriber_id, link_version=version).first()


def unsubscribe(subscriber_ids):
    """Unsubscribe at once; their deliveries not yet handed to the mail server are skipped.
    Returns how many were subscribed (or pending) before."""
    from .models import Delivery

    now = timezone.now()
    with transaction.atomic():
        changed = (
            Subscriber.objects.filter(pk__in=subscriber_ids)
            .exclude(status=Subscriber.Status.UNSUBSCRIBED)
            .update(status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now)
        )
        Delivery.objects.filter(
            subscriber_id__in=subscriber_ids, state=Delivery.State.PENDING
        ).update(state=Delivery.State.SKIPPED, claimed_by=None, lease_until=None)
    return changed


def purge_expired(now=None):
    """Sign-ups never confirmed in time are deleted; an unsubscribed reader who asked to come
    back and did not confirm stays unsubscribed (their delivery history is kept)."""
    expired = Subscriber.objects.expired(now)
    returning = expired.filter(confirmed_at__isnull=False).update(
        status=Subscriber.Status.UNSUBSCRIBED
    )
    deleted, _ = expired.filter(confirmed_at__isnull=True).delete()
    return deleted + returning
