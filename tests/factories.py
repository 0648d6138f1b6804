"""Tiny factory functions for test data. Every argument has a sensible default."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from editorial import revisions
from issues.models import Issue, IssueStory
from stories.models import Author, Byline, Company, Platform, Source, Status, Story, Topic

_seq = itertools.count(1)


def _n():
    return next(_seq)


def make_company(name=None, **kwargs):
    n = _n()
    name = name or f"Company {n}"
    kwargs.setdefault("slug", f"company-{n}")
    return Company.objects.create(name=name, **kwargs)


def make_platform(name=None, owner=None, **kwargs):
    n = _n()
    name = name or f"Platform {n}"
    kwargs.setdefault("slug", f"platform-{n}")
    return Platform.objects.create(name=name, owner=owner or make_company(), **kwargs)


def make_topic(name=None, **kwargs):
    n = _n()
    name = name or f"Topic {n}"
    kwargs.setdefault("slug", f"topic-{n}")
    return Topic.objects.create(name=name, **kwargs)


def make_author(name=None, **kwargs):
    n = _n()
    name = name or f"Author {n}"
    kwargs.setdefault("slug", f"author-{n}")
    return Author.objects.create(name=name, **kwargs)


def staff_writer():
    """The author of stories made without a named one (publishing needs an author)."""
    author, _ = Author.objects.get_or_create(slug="staff-writer", defaults={"name": "Staff Writer"})
    return author


def make_story(
    headline=None,
    *,
    status=Status.DRAFT,
    published_at=None,
    companies=(),
    platforms=(),
    topics=(),
    sources=1,
    authors=None,
    **kwargs,
):
    """A story; status=PUBLISHED without published_at means published a minute ago. Its byline
    is `authors` (in order), the staff writer when None."""
    n = _n()
    headline = headline or f"Story {n}"
    kwargs.setdefault("slug", f"story-{n}")
    kwargs.setdefault("summary", f"Summary of {headline}.")
    kwargs.setdefault("body", f"Body of {headline}.")
    kwargs.setdefault("event_date", date(2026, 11, 1) - timedelta(days=n % 300))
    if status == Status.PUBLISHED and published_at is None:
        published_at = timezone.now() - timedelta(minutes=1)
    story = Story.objects.create(
        headline=headline, status=status, published_at=published_at, **kwargs
    )
    story.companies.set(companies)
    story.platforms.set(platforms)
    story.topics.set(topics)
    for position, author in enumerate(authors if authors is not None else [staff_writer()]):
        Byline.objects.create(story=story, author=author, position=position)
    for i in range(sources):
        Source.objects.create(
            story=story,
            publisher=f"Publisher {i + 1}",
            url=f"https://example.com/{n}/{i}",
            position=i,
        )
    return _with_revision(story, by=kwargs.get("author"))


def make_issue(number=None, *, stories=(), status=Status.DRAFT, published_at=None, **kwargs):
    """An issue holding `stories` at positions 1..N in the given order."""
    number = number or _n()
    kwargs.setdefault("title", f"Issue {number}")
    if status == Status.PUBLISHED and published_at is None:
        published_at = timezone.now() - timedelta(minutes=1)
    issue = Issue.objects.create(number=number, status=status, published_at=published_at, **kwargs)
    for position, story in enumerate(stories, start=1):
        IssueStory.objects.create(issue=issue, story=story, position=position)
    return _with_revision(issue)


def _with_revision(obj, by=None):
    """Keep the first revision, as the admin does at every save; a published object shows it."""
    revisions.save_revision(obj, by=by)
    if obj.is_live:
        type(obj).objects.filter(pk=obj.pk).update(live_revision=obj.latest_revision)
        obj.live_revision = obj.latest_revision
    return obj
