"""Emails the workflow sends: to reviewers on submit, to authors on review and on publishing.

The workflow calls these after its transaction commits, so a refused or rolled-back step sends
nothing. They are queued (editorial.tasks.send_email) and sent by the worker, off the request,
which retries while the mail server is down; a failure to queue is logged, never raised, so it
cannot make a successful step look like a failed one.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

logger = logging.getLogger(__name__)


def _site_url():
    return getattr(settings, "DIGEST_SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _admin_url(obj):
    opts = obj._meta
    return _site_url() + reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _send(subject, body, recipients):
    # A headline can hold a line break (a pasted one, or a crafted POST); mail headers cannot.
    subject = " ".join(subject.split())
    recipients = sorted({address for address in recipients if address})
    if not recipients:
        return 0
    from .tasks import send_email

    try:
        send_email.defer(subject=subject, body=body, recipients=recipients)
    except Exception:
        logger.exception("Could not queue %r to %s", subject, recipients)
        return 0
    return 1


def _name(user):
    return (user.get_full_name() or user.get_username()) if user else "Someone"


def reviewers(exclude=None):
    """Active members of the Reviewers group (the submitter is left out)."""
    users = get_user_model().objects.filter(groups__name="Reviewers", is_active=True)
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users.exclude(email="").distinct()


def submitted(obj, *, by):
    kind = obj._meta.verbose_name
    return _send(
        f"Awaiting review: {obj}",
        f"{_name(by)} submitted the {kind} “{obj}” for review.\n\n"
        f"Review it here: {_admin_url(obj)}\n",
        [user.email for user in reviewers(exclude=by)],
    )


def changes_requested(obj, *, by, comment):
    author = getattr(obj, "author", None)
    if author is None or author == by:
        return 0
    return _send(
        f"Changes requested: {obj}",
        f"{_name(by)} sent “{obj}” back to you with this comment:\n\n{comment}\n\n"
        f"Edit it and submit it again: {_admin_url(obj)}\n",
        [author.email],
    )


def published(stories, *, by):
    """Tell each author that their story is out (or scheduled)."""
    from .workflow import format_time

    sent = 0
    for story in stories:
        author = getattr(story, "author", None)
        if author is None or author == by:
            continue
        if story.is_scheduled:
            when = f"is scheduled to go live on {format_time(story.published_at)}"
        else:
            when = "is now live"
        sent += _send(
            f"Published: {story}",
            f"Your story “{story}” {when}.\n\n{_site_url()}{story.get_absolute_url()}\n",
            [author.email],
        )
    return sent
