"""Subscribers and deliveries: who gets the newsletter, and which issue went to whom.

No token is stored in plain text: confirmation and unsubscribe links are signed
(newsletter.tokens) from a subscriber's id and a counter kept here.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def expired(self, now=None):
        """Sign-ups never confirmed within the confirmation window."""
        cutoff = (now or timezone.now()) - timedelta(hours=settings.DIGEST_NEWSLETTER_CONFIRM_HOURS)
        return self.filter(status=Subscriber.Status.PENDING, requested_at__lt=cutoff)


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    # Stored lower-cased (newsletter.forms), so one address is one row whatever its spelling.
    email = models.EmailField(max_length=254)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(
        default=timezone.now, help_text="When the address last asked to subscribe."
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # Part of every confirmation link: a new request makes the older links invalid.
    confirmation_count = models.PositiveIntegerField(default=0, editable=False)
    # Part of every unsubscribe link; raising it revokes the links already sent.
    link_version = models.PositiveIntegerField(default=1, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        permissions = [("export_subscribers", "Can export subscribers as CSV")]
        constraints = [
            # One row per address: sign-ups find it by email (the form's look-up).
            models.UniqueConstraint(fields=["email"], name="newsletter_subscriber_email_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "confirmed", "unsubscribed"]),
                name="newsletter_subscriber_status_valid",
            ),
        ]
        indexes = [
            # Starting a send streams the confirmed subscribers in id order.
            models.Index(
                fields=["id"],
                name="newsletter_subscriber_conf_idx",
                condition=Q(status="confirmed"),
            ),
            # The sweep's purge of expired sign-ups.
            models.Index(
                fields=["requested_at"],
                name="newsletter_subscriber_pend_idx",
                condition=Q(status="pending"),
            ),
        ]

    def __str__(self):
        return self.email


class DeliveryQuerySet(models.QuerySet):
    def counts_by_issue(self, issue_ids):
        """{issue id: {state: count}} for these issues, in one query."""
        counts = {issue_id: dict.fromkeys(Delivery.State.values, 0) for issue_id in issue_ids}
        rows = (
            self.filter(issue_id__in=issue_ids)
            .order_by()
            .values_list("issue_id", "state")
            .annotate(n=models.Count("pk"))
        )
        for issue_id, state, n in rows:
            counts[issue_id][state] = n
        return counts


class Delivery(models.Model):
    """One issue for one subscriber: created when the issue goes out, then sent exactly once.

    pending → sending → sent. A row is marked `sending` (and committed) before its message is
    handed to the mail server, and never sent again from that state: if a worker dies between
    the two, the sweep marks it failed ("may have arrived") rather than risk a second copy.
    SMTP errors put it back to pending with a later `next_attempt_at`, up to
    DIGEST_NEWSLETTER_MAX_ATTEMPTS, then failed.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (unsubscribed before it went out)"

    issue = models.ForeignKey("issues.Issue", on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(Subscriber, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # A batch's claim on pending rows: which job run holds them, and until when. Only the
    # holder may move a row to `sending`; after `lease_until` another run may claim it.
    claimed_by = models.UUIDField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            # Each subscriber gets each issue at most once: a second send, a second worker or a
            # re-publication inserts nothing new for them (ON CONFLICT DO NOTHING).
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_once"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "failed", "skipped"]),
                name="newsletter_delivery_state_valid",
            ),
        ]
        indexes = [
            # A batch's claim: an issue's pending rows due now, in id order.
            models.Index(
                fields=["issue", "id"],
                name="newsletter_deliv_todo_idx",
                condition=Q(state="pending"),
            ),
            # The sweep: rows left `sending` by a worker that stopped.
            models.Index(
                fields=["sending_since"],
                name="newsletter_deliv_sending_idx",
                condition=Q(state="sending"),
            ),
        ]

    def __str__(self):
        return f"{self.issue} → {self.subscriber}"
