"""The database itself refuses bad rows, whatever code path writes them."""

import pytest
from django.db import IntegrityError, connection, transaction

from issues.models import Issue, IssueStory
from stories.models import Company, Platform, Status, Story, Topic
from tests.factories import make_company, make_issue, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db


def _raises_integrity_error(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()
        # Deferred constraints are checked at commit; make them fire here.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_company_slugs_are_unique():
    make_company(slug="alibaba")
    _raises_integrity_error(lambda: Company.objects.create(name="Other", slug="alibaba"))


def test_platform_slugs_are_unique():
    platform = make_platform(slug="tiktok")
    _raises_integrity_error(
        lambda: Platform.objects.create(name="Other", slug="tiktok", owner=platform.owner)
    )


def test_topic_slugs_are_unique():
    make_topic(slug="regulation")
    _raises_integrity_error(lambda: Topic.objects.create(name="Other", slug="regulation"))


def test_story_slugs_are_unique():
    make_story(slug="same")
    _raises_integrity_error(lambda: make_story(slug="same"))


def test_a_company_cannot_be_its_own_parent():
    company = make_company()
    company.parent = company
    _raises_integrity_error(lambda: company.save())


def test_issue_numbers_are_unique():
    make_issue(number=7)
    _raises_integrity_error(lambda: Issue.objects.create(number=7, title="Again"))


@pytest.mark.parametrize("number", [0, -3])
def test_issue_numbers_are_positive(number):
    _raises_integrity_error(lambda: Issue.objects.create(number=number, title="Bad"))


def test_a_story_runs_in_one_issue_at_most():
    story = make_story()
    make_issue(stories=[story])
    other = make_issue()
    _raises_integrity_error(lambda: IssueStory.objects.create(issue=other, story=story, position=1))


def test_positions_are_unique_within_an_issue():
    issue = make_issue(stories=[make_story()])
    _raises_integrity_error(
        lambda: IssueStory.objects.create(issue=issue, story=make_story(), position=1)
    )


def test_positions_can_be_swapped_in_one_transaction():
    first, second = make_story(), make_story()
    issue = make_issue(stories=[first, second])
    with transaction.atomic():
        IssueStory.objects.filter(issue=issue, story=first).update(position=2)
        IssueStory.objects.filter(issue=issue, story=second).update(position=1)
    assert list(issue.entries.order_by("position").values_list("story", flat=True)) == [
        second.pk,
        first.pk,
    ]


def test_status_is_limited_to_its_values():
    story = make_story()
    _raises_integrity_error(lambda: Story.objects.filter(pk=story.pk).update(status="bogus"))
    issue = make_issue()
    _raises_integrity_error(lambda: Issue.objects.filter(pk=issue.pk).update(status="bogus"))


def test_published_rows_always_have_a_publication_time():
    story = make_story()
    _raises_integrity_error(
        lambda: Story.objects.filter(pk=story.pk).update(status=Status.PUBLISHED)
    )
    story.refresh_from_db()
    assert story.status == Status.DRAFT
