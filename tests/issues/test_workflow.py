"""An issue is published as one unit with the stories it holds."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from editorial import revisions, workflow
from editorial.models import Transition
from editorial.workflow import Action, NotAllowed, NotReady
from issues.models import Issue, IssueStory
from stories.models import Status, Story
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


def _story(status=Status.IN_REVIEW, author=None, **kwargs):
    return make_story(status=status, companies=[make_company()], author=author, **kwargs)


def test_publishing_an_issue_publishes_its_stories_in_review_at_the_same_moment(reviewer, editor):
    earlier = _story(Status.PUBLISHED, author=editor)
    in_review = [_story(author=editor), _story(author=editor)]
    issue = make_issue(stories=[earlier, *in_review], status=Status.IN_REVIEW)

    workflow.publish(issue, by=reviewer)

    issue.refresh_from_db()
    assert issue.status == Status.PUBLISHED
    for story in in_review:
        story.refresh_from_db()
        assert story.status == Status.PUBLISHED
        assert story.published_at == issue.published_at
    old_time = earlier.published_at
    earlier.refresh_from_db()
    assert earlier.published_at == old_time
    # One transition for the issue and one for each story it published.
    assert Transition.objects.filter(action=Action.PUBLISH).count() == 3
    assert Issue.objects.published().filter(pk=issue.pk).exists()


def test_publishing_an_issue_is_refused_naming_its_drafts(reviewer, editor):
    draft = _story(Status.DRAFT, author=editor, headline="Douyin tightens live commerce rules")
    waiting = _story(author=editor)
    issue = make_issue(stories=[waiting, draft], status=Status.IN_REVIEW)

    with pytest.raises(NotReady, match="Douyin tightens live commerce rules"):
        workflow.publish(issue, by=reviewer)

    issue.refresh_from_db()
    waiting.refresh_from_db()
    assert issue.status == Status.IN_REVIEW
    assert waiting.status == Status.IN_REVIEW
    assert not Transition.objects.exists()


def test_an_issue_without_stories_cannot_be_published(reviewer):
    issue = make_issue(status=Status.IN_REVIEW)
    with pytest.raises(NotReady, match="no stories"):
        workflow.publish(issue, by=reviewer)


def test_an_issue_with_gaps_in_its_positions_cannot_be_published(reviewer, editor):
    issue = make_issue(status=Status.IN_REVIEW)
    IssueStory.objects.create(issue=issue, story=_story(author=editor), position=1)
    IssueStory.objects.create(issue=issue, story=_story(author=editor), position=3)
    revisions.save_revision(issue, by=editor)  # as the admin keeps every save
    with pytest.raises(NotReady, match="they are now 1, 3"):
        workflow.publish(issue, by=reviewer)
    assert not Story.objects.published().exists()


def test_an_issue_names_its_stories_that_are_not_ready(reviewer, editor):
    bare = make_story(status=Status.IN_REVIEW, author=editor, headline="Bare", sources=0)
    issue = make_issue(stories=[bare], status=Status.IN_REVIEW)
    with pytest.raises(NotReady) as refused:
        workflow.publish(issue, by=reviewer)
    assert refused.value.problems == [
        "“Bare”: it needs at least one source",
        "“Bare”: it needs at least one company",
    ]


def test_four_eyes_covers_the_stories_an_issue_would_publish(reviewer, editor):
    own = _story(author=reviewer, headline="Rita's own story")
    issue = make_issue(stories=[own, _story(author=editor)], status=Status.IN_REVIEW)
    with pytest.raises(NotAllowed, match="Rita's own story"):
        workflow.publish(issue, by=reviewer)
    own.refresh_from_db()
    assert own.status == Status.IN_REVIEW


def test_a_scheduled_issue_and_its_stories_go_public_together(reviewer, editor):
    stories = [_story(author=editor), _story(author=editor)]
    issue = make_issue(stories=stories, status=Status.IN_REVIEW)
    at = timezone.now() + timedelta(hours=3)

    workflow.publish(issue, by=reviewer, at=at)

    assert workflow.state_label(issue).startswith("Scheduled for")
    with time_machine.travel(at - timedelta(seconds=1)):
        assert not Issue.objects.published().filter(pk=issue.pk).exists()
        assert not Story.objects.published().filter(pk__in=[s.pk for s in stories]).exists()
    with time_machine.travel(at):
        assert Issue.objects.published().filter(pk=issue.pk).exists()
        assert Story.objects.published().filter(pk__in=[s.pk for s in stories]).count() == 2
    assert Transition.objects.filter(action=Action.SCHEDULE).count() == 3


def test_a_scheduled_issue_is_public_on_its_page_only_after_the_time(client, reviewer, editor):
    story = _story(author=editor, headline="Meituan expands drone delivery")
    issue = make_issue(stories=[story], status=Status.IN_REVIEW)
    at = timezone.now() + timedelta(hours=1)
    workflow.publish(issue, by=reviewer, at=at)

    with time_machine.travel(at - timedelta(minutes=1)):
        assert client.get(f"/issues/{issue.number}/").status_code == 404
        assert client.get(f"/stories/{story.slug}/").status_code == 404
    with time_machine.travel(at + timedelta(minutes=1)):
        response = client.get(f"/issues/{issue.number}/")
        assert response.status_code == 200
        assert "Meituan expands drone delivery" in response.content.decode()
        assert client.get(f"/stories/{story.slug}/").status_code == 200


def test_unpublishing_a_scheduled_issue_takes_back_its_scheduled_stories(reviewer, editor):
    earlier = _story(Status.PUBLISHED, author=editor)
    waiting = _story(author=editor)
    issue = make_issue(stories=[earlier, waiting], status=Status.IN_REVIEW)
    workflow.publish(issue, by=reviewer, at=timezone.now() + timedelta(days=1))

    workflow.unpublish(issue, by=reviewer)

    issue.refresh_from_db()
    waiting.refresh_from_db()
    earlier.refresh_from_db()
    assert issue.status == Status.DRAFT
    assert waiting.status == Status.DRAFT
    assert earlier.status == Status.PUBLISHED


def test_request_changes_on_an_issue_leaves_its_stories_alone(reviewer, editor):
    story = _story(author=editor)
    issue = make_issue(stories=[story], status=Status.IN_REVIEW)
    workflow.request_changes(issue, by=reviewer, comment="The intro is too long.")
    issue.refresh_from_db()
    story.refresh_from_db()
    assert issue.status == Status.DRAFT
    assert story.status == Status.IN_REVIEW
    [transition] = workflow.history(issue)
    assert transition.comment == "The intro is too long."


def test_a_story_scheduled_after_the_issue_blocks_it(reviewer, editor):
    later = _story(Status.PUBLISHED, author=editor, published_at=timezone.now() + timedelta(days=2))
    issue = make_issue(stories=[later], status=Status.IN_REVIEW)
    with pytest.raises(NotReady, match="after the issue would go out"):
        workflow.publish(issue, by=reviewer)


@pytest.mark.parametrize("size", [2, 8])
def test_checking_an_issue_costs_four_queries_whatever_its_size(
    size, editor, django_assert_num_queries
):
    issue = make_issue(stories=[_story(author=editor) for _ in range(size)])
    issue = Issue.objects.get(pk=issue.pk)
    # The issue's newest revision; its stories; the newest revisions of those in review; the
    # companies and platforms they name that await approval.
    with django_assert_num_queries(4):
        assert workflow.publish_problems(issue) == []
