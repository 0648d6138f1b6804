"""The newsletter's jobs on the task queue (Procrastinate; `manage.py procrastinate worker`).

Each is small and idempotent: the rules live in newsletter.sending and newsletter.subscribing.
A job that raises is retried with exponential back-off (a database hiccup, say); SMTP errors
are handled per delivery and never fail a job.
"""

from django.conf import settings
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from editorial.tasks import fresh_connections

from . import sending
from .courier import Courier, Outcome
from .mail import confirmation_message, render_issue
from .models import Subscriber

RETRY = RetryStrategy(max_attempts=5, exponential_wait=5)


@app.task(name="newsletter.send_issue", queue="newsletter", retry=RETRY)
@fresh_connections
def send_issue(issue_id, published_at):
    """At the issue's public moment: create its deliveries and start sending."""
    return sending.send_at_publication(issue_id, published_at)


@app.task(name="newsletter.send_batches", queue="newsletter", retry=RETRY)
@fresh_connections
def send_batches(issue_id):
    return f"{sending.send_batches(issue_id)} sent"


@app.task(name="newsletter.send_confirmation", queue="newsletter", retry=RETRY)
@fresh_connections
def send_confirmation(subscriber_id):
    """The confirmation email (its link voids the older ones), unless the address is already
    subscribed or the sign-up expired: the sign-up page said the same thing either way."""
    subscriber = Subscriber.objects.filter(
        pk=subscriber_id, status=Subscriber.Status.PENDING
    ).first()
    if subscriber is None:
        return "nothing to confirm"
    with Courier() as courier:
        outcome, error = courier.send(confirmation_message(subscriber))
    if outcome == Outcome.RETRY:
        raise RuntimeError(f"Confirmation email not sent: {error}")
    return outcome.value


@app.task(name="newsletter.send_test_copy", queue="newsletter", retry=RETRY)
@fresh_connections
def send_test_copy(issue_id, email):
    """A reviewer's copy of the issue as its newest text reads, before it is published."""
    from issues.models import Issue

    issue = Issue.objects.filter(pk=issue_id).first()
    if issue is None:
        return "issue deleted"
    with Courier() as courier:
        outcome, error = courier.send(render_issue(issue, test_copy=True).message(email))
    if outcome == Outcome.RETRY:
        raise RuntimeError(f"Test copy not sent: {error}")
    return outcome.value


@app.periodic(cron=settings.DIGEST_QUEUE_SWEEP_CRON, periodic_id="newsletter-sweep")
@app.task(name="newsletter.sweep", queue="newsletter", queueing_lock="newsletter-sweep")
@fresh_connections
def sweep(timestamp):
    interrupted, resumed, expired = sending.sweep()
    return f"{interrupted} interrupted, {resumed} resumed, {expired} expired"
