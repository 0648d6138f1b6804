"""The emails: an issue as readers see it, the confirmation request, a reviewer's test copy.

An issue is rendered once per send (HTML with its stylesheet inlined, and plain text); each
subscriber's copy differs only in its unsubscribe link, put in place of a marker. Links are
absolute (SITE_URL); there are no images and no tracking of any kind.
"""

import re
from dataclasses import dataclass
from types import SimpleNamespace

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sitesettings.models import current as site_settings

from . import tokens

# Replaced by each subscriber's unsubscribe address; URL-safe, so it survives escaping.
UNSUBSCRIBE_MARK = "UNSUBSCRIBE-URL-9c41e2"
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)
# Root-relative links (a story's address, a link typed in Markdown) made absolute.
_RELATIVE = re.compile(r'(href)="/(?!/)')


def site_name():
    """The publication's name as readers see it (the site settings)."""
    return site_settings().name


def site_url():
    return settings.DIGEST_SITE_URL.rstrip("/")


def absolute(path):
    return site_url() + path


def unsubscribe_url(subscriber_id, link_version):
    token = tokens.unsubscribe_token(subscriber_id, link_version)
    return absolute(reverse("newsletter_unsubscribe", args=[token]))


def _one_line(text):
    # A title may hold a pasted line break; mail headers cannot.
    return " ".join(str(text).split())


@dataclass(frozen=True)
class RenderedIssue:
    subject: str
    text: str
    html: str

    def message(self, to, unsubscribe=None, connection=None):
        """The email for one address; `unsubscribe` is its one-click unsubscribe URL (None
        for a test copy)."""
        headers = {}
        text, html = self.text, self.html
        if unsubscribe is not None:
            headers["List-Unsubscribe"] = f"<{unsubscribe}>"
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
            text = text.replace(UNSUBSCRIBE_MARK, unsubscribe)
            html = html.replace(UNSUBSCRIBE_MARK, unsubscribe)
        message = EmailMultiAlternatives(
            self.subject, text, None, [to], headers=headers, connection=connection
        )
        message.attach_alternative(html, "text/html")
        return message


def _published_stories(issue, at):
    from stories.fragments import with_extras
    from stories.models import Story

    stories = (
        Story.objects.published(now=at)
        .in_issue(issue.pk)
        .defer("search_vector", "block_html", "card_html")
    )
    return with_extras(stories)


def _draft_stories(issue):
    """The stories of the issue's newest text, whatever their state (a test copy)."""
    from editorial import revisions
    from stories.fragments import with_extras
    from stories.models import Story

    rows = revisions.content_of(issue).get("children", {}).get("entries", [])
    found = Story.objects.for_issue_preview().in_bulk([row["story"] for row in rows])
    return with_extras(found[row["story"]] for row in rows if row["story"] in found)


def render_issue(issue, *, test_copy=False):
    """Render `issue` for email: as readers see it once public, or, for a reviewer's test
    copy, as its newest text reads (what would go out if published now)."""
    if test_copy:
        from editorial import revisions

        issue = revisions.working_copy(issue)
        stories = _draft_stories(issue)
        day = timezone.localdate()
    else:
        at = max(timezone.now(), issue.published_at)
        stories = _published_stories(issue, at)
        day = timezone.localtime(issue.published_at).date()
    subject = _one_line(f"{site_name()} #{issue.number}: {issue.title}")
    if test_copy:
        subject = f"[Test copy] {subject}"
    context = {
        "issue": issue,
        "day": day,
        "entries": [SimpleNamespace(position=n, story=s) for n, s in enumerate(stories, 1)],
        "site_name": site_name(),
        "site_url": site_url(),
        "issue_url": absolute(issue.get_absolute_url()),
        "unsubscribe_url": None if test_copy else UNSUBSCRIBE_MARK,
        "test_copy": test_copy,
    }
    html = render_to_string("newsletter/email/issue.html", context)
    html = _RELATIVE.sub(rf'\1="{site_url()}/', _INLINER.inline(html))
    text = render_to_string("newsletter/email/issue.txt", context)
    return RenderedIssue(subject, text, html)


def confirmation_message(subscriber):
    link = absolute(reverse("newsletter_confirm", args=[tokens.confirmation_token(subscriber)]))
    context = {
        "site_name": site_name(),
        "site_url": site_url(),
        "confirm_url": link,
        "hours": settings.DIGEST_NEWSLETTER_CONFIRM_HOURS,
    }
    return EmailMultiAlternatives(
        _one_line(f"Confirm your subscription to {site_name()}"),
        render_to_string("newsletter/email/confirm.txt", context),
        None,
        [subscriber.email],
    )
