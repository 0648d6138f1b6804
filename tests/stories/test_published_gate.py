"""published() is the one gate: published status AND a publication time that has come."""

from datetime import timedelta

import pytest
from django.utils import timezone

from issues.models import Issue
from stories.models import Status, Story
from tests.factories import make_issue, make_story

pytestmark = pytest.mark.django_db

NOW = timezone.now()
CASES = [
    # (status, published_at offset, public?)
    (Status.DRAFT, None, False),
    (Status.DRAFT, timedelta(days=-1), False),
    (Status.IN_REVIEW, timedelta(days=-1), False),
    (Status.IN_REVIEW, timedelta(days=1), False),
    (Status.PUBLISHED, timedelta(days=-1), True),
    (Status.PUBLISHED, timedelta(seconds=-1), True),
    (Status.PUBLISHED, timedelta(days=1), False),
    (Status.PUBLISHED, timedelta(seconds=30), False),
]


@pytest.mark.parametrize(("status", "offset", "public"), CASES)
def test_story_gate(status, offset, public):
    when = None if offset is None else timezone.now() + offset
    story = make_story(status=status, published_at=when)
    assert (story in Story.objects.published()) is public
    assert story.is_published is public


@pytest.mark.parametrize(("status", "offset", "public"), CASES)
def test_issue_gate(status, offset, public):
    when = None if offset is None else timezone.now() + offset
    issue = make_issue(status=status, published_at=when)
    assert (issue in Issue.objects.published()) is public
    assert issue.is_published is public


def test_a_scheduled_story_becomes_public_when_its_time_comes():
    story = make_story(status=Status.PUBLISHED, published_at=timezone.now() + timedelta(hours=2))
    assert story.is_scheduled
    assert not Story.objects.published().filter(pk=story.pk).exists()
    later = timezone.now() + timedelta(hours=3)
    assert Story.objects.published(now=later).filter(pk=story.pk).exists()


def test_an_issue_page_lists_only_published_stories():
    public = make_story("Public", status=Status.PUBLISHED)
    draft = make_story("Draft")
    issue = make_issue(stories=[public, draft], status=Status.PUBLISHED)
    fetched = Issue.objects.published().for_issue_page().get(pk=issue.pk)
    assert [entry.story for entry in fetched.entries.all()] == [public]
