"""Sending an issue to every confirmed subscriber, each exactly once at most.

1. Publication (editorial.signals.went_live, inside the publishing transaction) queues
   `send_issue` for the issue's `published_at`: now, or its scheduled moment. Unpublishing or
   rescheduling needs nothing: the job re-checks at run time that the issue is public and was
   queued for this publication time; a rescheduled issue has its own job.
2. `start(issue)` creates a Delivery per confirmed subscriber in one INSERT ... SELECT (nothing
   is loaded into memory; the unique constraint skips those who already have one), then
   queues SEND_JOBS `send_batches` jobs, which the workers run in parallel.
3. `send_batches` claims BATCH pending rows at a time (FOR UPDATE SKIP LOCKED, with a lease),
   and for each: marks it `sending` (committed), hands it to the mail server, marks it `sent`.
   Two workers never claim the same row, and only the holder of a claim may move it to
   `sending`, so a row is handed over at most once.
4. An SMTP error before the message's body was sent puts the row back to pending with an
   exponential back-off, until DIGEST_NEWSLETTER_MAX_ATTEMPTS; a refusal (5xx) fails it. A
   worker killed mid-batch leaves its claimed rows pending (claimable again once the lease
   ends) and at most one row `sending`; the sweep marks that one failed, with the reason,
   since it may have arrived: no one gets an issue twice, and no one is silently dropped.
"""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Min
from django.utils import timezone

from editorial.publishing import Status
from editorial.signals import went_live
from issues.models import Issue

from .courier import Courier, Outcome
from .mail import render_issue, unsubscribe_url
from .models import Delivery, Subscriber

log = logging.getLogger(__name__)

INTERRUPTED = (
    "The worker stopped while handing this message to the mail server, so it may have "
    "arrived; it is not sent again so that nobody gets the issue twice."
)


def connect():
    went_live.connect(_issue_went_live, sender=Issue, dispatch_uid="newsletter_went_live")


def _issue_went_live(sender, instance, first_time, **kwargs):
    """Queue the send for the issue's public moment, in the publishing transaction: the job
    exists exactly when the publication does."""
    if first_time:
        from .tasks import send_issue

        send_issue.configure(schedule_at=instance.published_at).defer(
            issue_id=instance.pk, published_at=instance.published_at.isoformat()
        )


def public_issue(issue_id):
    """The issue if readers can see it now, else None."""
    return Issue.objects.published().filter(pk=issue_id).first()


def send_at_publication(issue_id, published_at):
    """What `send_issue` does at the moment it was queued for: start sending if the issue is
    public and this is still its publication (`published_at`, ISO format). A job that runs a
    little early (the worker's clock behind the database's) queues itself again for the
    moment; one for a publication since undone or moved does nothing."""
    from .tasks import send_issue

    issue = Issue.objects.filter(pk=issue_id, status=Status.PUBLISHED).first()
    # Compared as moments: the form's time may be in another zone than the database's.
    if issue is None or issue.published_at != datetime.fromisoformat(published_at):
        return "not public (unpublished or rescheduled): nothing sent"
    if issue.published_at > timezone.now():
        send_issue.configure(schedule_at=issue.published_at).defer(
            issue_id=issue_id, published_at=published_at
        )
        return "early: queued again for its moment"
    return f"{start(issue)} deliveries created"


def start(issue):
    """Create the issue's deliveries and queue the jobs that send them. Returns how many
    deliveries were created now (0 when every confirmed subscriber already has one)."""
    table = Delivery._meta.db_table
    subscribers = Subscriber._meta.db_table
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Streamed inside PostgreSQL: 10 or 100,000 subscribers cost the worker nothing.
            cursor.execute(
                f"""
                INSERT INTO {table}
                    (issue_id, subscriber_id, state, attempts, last_error, created_at,
                     next_attempt_at)
                SELECT %s, id, %s, 0, '', now(), now()
                FROM {subscribers} WHERE status = %s ORDER BY id
                ON CONFLICT ON CONSTRAINT newsletter_delivery_once DO NOTHING
                """,
                [issue.pk, Delivery.State.PENDING, Subscriber.Status.CONFIRMED],
            )
            created = cursor.rowcount
        queue_batches(issue.pk)
    return created


def queue_batches(issue_id, at=None):
    """Queue the issue's sending jobs: SEND_JOBS of them now (a slot already waiting is left
    alone), or one at `at`, when the earliest retry is due."""
    from procrastinate.exceptions import AlreadyEnqueued

    from .tasks import send_batches

    if at is None:
        locks = [
            f"newsletter-send-{issue_id}-{n}" for n in range(settings.DIGEST_NEWSLETTER_SEND_JOBS)
        ]
    else:
        locks = [f"newsletter-retry-{issue_id}"]
    for lock in locks:
        try:
            with transaction.atomic():
                send_batches.configure(queueing_lock=lock, schedule_at=at).defer(issue_id=issue_id)
        except AlreadyEnqueued:
            pass


def _claim(issue_id, holder):
    """Claim up to BATCH pending rows due now: (delivery id, subscriber id, email, version)."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(issue_id=issue_id, state=Delivery.State.PENDING, next_attempt_at__lte=now)
            .exclude(lease_until__gte=now)
            .order_by("pk")
            .values_list("pk", "subscriber_id", "subscriber__email", "subscriber__link_version")[
                : settings.DIGEST_NEWSLETTER_BATCH
            ]
        )
        if rows:
            Delivery.objects.filter(pk__in=[row[0] for row in rows]).update(
                claimed_by=holder,
                lease_until=now + timedelta(seconds=settings.DIGEST_NEWSLETTER_LEASE_SECONDS),
            )
    return rows


def _begin(delivery_id, holder):
    """Mark one claimed row `sending` (committed before a byte goes out). False when the row
    is no longer ours (the lease passed and another run took it) or no longer pending (its
    reader unsubscribed: subscribing.unsubscribe skips their pending rows)."""
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, state=Delivery.State.PENDING, claimed_by=holder
        ).update(
            state=Delivery.State.SENDING,
            sending_since=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )


def _backoff(attempts):
    return timedelta(seconds=settings.DIGEST_NEWSLETTER_RETRY_SECONDS * 2 ** (attempts - 1))


def _finish(delivery_id, outcome, error):
    rows = Delivery.objects.filter(pk=delivery_id)
    now = timezone.now()
    if outcome == Outcome.SENT:
        # The sweep may have given up on a very slow send meanwhile: it did arrive.
        rows.filter(state__in=[Delivery.State.SENDING, Delivery.State.FAILED]).update(
            state=Delivery.State.SENT, sent_at=now, last_error=""
        )
        return
    attempts = rows.values_list("attempts", flat=True).get()
    if outcome == Outcome.RETRY and attempts < settings.DIGEST_NEWSLETTER_MAX_ATTEMPTS:
        rows.update(
            state=Delivery.State.PENDING,
            next_attempt_at=now + _backoff(attempts),
            claimed_by=None,
            lease_until=None,
            last_error=error[:1000],
        )
    else:
        reason = INTERRUPTED if outcome == Outcome.UNCERTAIN else error
        rows.update(state=Delivery.State.FAILED, last_error=reason[:1000])


def send_batches(issue_id):
    """Send the issue's pending deliveries, batch after batch, until none is due; then queue
    a run for the earliest retry, if any. Returns how many were sent by this run."""
    holder = uuid.uuid4()
    sent = 0
    rendered = None
    with Courier() as courier:
        while True:
            issue = public_issue(issue_id)
            if issue is None:
                # Unpublished while sending: what is left waits (a new publication resumes it).
                return sent
            rows = _claim(issue_id, holder)
            if not rows:
                break
            if rendered is None:
                rendered = render_issue(issue)
            done = None
            for delivery_id, subscriber_id, email, version in rows:
                # One commit records the last message's outcome and marks this one
                # `sending`, before it goes out: the same guarantee, half the commits.
                with transaction.atomic():
                    if done is not None:
                        _finish(*done)
                        done = None
                    if not _begin(delivery_id, holder):
                        continue
                message = rendered.message(email, unsubscribe_url(subscriber_id, version))
                outcome, error = courier.send(message)
                done = (delivery_id, outcome, error)
                sent += outcome == Outcome.SENT
            if done is not None:
                _finish(*done)
    later = Delivery.objects.filter(issue_id=issue_id, state=Delivery.State.PENDING).aggregate(
        at=Min("next_attempt_at")
    )["at"]
    if later is not None:
        queue_batches(issue_id, at=max(later, timezone.now()))
    return sent


def sweep(now=None):
    """The periodic upkeep: give up on rows a stopped worker left `sending`, resume issues
    whose sending stopped, and purge sign-ups that were never confirmed."""
    from .subscribing import purge_expired

    now = now or timezone.now()
    stuck = now - timedelta(seconds=settings.DIGEST_NEWSLETTER_SENDING_TIMEOUT)
    interrupted = Delivery.objects.filter(
        state=Delivery.State.SENDING, sending_since__lt=stuck
    ).update(state=Delivery.State.FAILED, last_error=INTERRUPTED)
    due = (
        Delivery.objects.filter(state=Delivery.State.PENDING, next_attempt_at__lte=now)
        .exclude(lease_until__gte=now)
        .values_list("issue_id", flat=True)
        .distinct()
    )
    resumed = 0
    for issue_id in due:
        if public_issue(issue_id) is not None:
            queue_batches(issue_id)
            resumed += 1
    purged = purge_expired(now)
    if interrupted or resumed or purged:
        log.warning(
            "Newsletter sweep: %s interrupted, %s issues resumed, %s sign-ups expired",
            interrupted,
            resumed,
            purged,
        )
    return interrupted, resumed, purged
