"""The workflow's rules: who may take which step from which state, and what each step leaves behind."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from editorial import revisions, workflow
from editorial.models import Transition
from editorial.workflow import Action, NotAllowed, NotReady, WorkflowError, WrongState
from stories.models import Status, Story
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db

TARGET = {
    Action.SUBMIT: Status.IN_REVIEW,
    Action.REQUEST_CHANGES: Status.DRAFT,
    Action.PUBLISH: Status.PUBLISHED,
    Action.UNPUBLISH: Status.DRAFT,
}
# (role, action, state) combinations that are allowed; every other one is refused.
ALLOWED = {
    ("editor", Action.SUBMIT, Status.DRAFT),
    ("reviewer", Action.SUBMIT, Status.DRAFT),
    ("reviewer", Action.REQUEST_CHANGES, Status.IN_REVIEW),
    ("reviewer", Action.PUBLISH, Status.IN_REVIEW),
    ("reviewer", Action.UNPUBLISH, Status.PUBLISHED),
    ("admin_user", Action.SUBMIT, Status.DRAFT),
    ("admin_user", Action.REQUEST_CHANGES, Status.IN_REVIEW),
    ("admin_user", Action.PUBLISH, Status.IN_REVIEW),
    ("admin_user", Action.UNPUBLISH, Status.PUBLISHED),
}
ROLES = ["editor", "reviewer", "admin_user", "reader"]


def _ready_story(status, author):
    return make_story(status=status, companies=[make_company()], author=author)


def _take(action, obj, user):
    if action == Action.REQUEST_CHANGES:
        return workflow.request_changes(obj, by=user, comment="Please add a second source.")
    return workflow.PERFORM[action](obj, by=user)


def _log(obj):
    return Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    )


def _matrix():
    for kind in ("story", "issue"):
        for role in ROLES:
            for action in TARGET:
                for state in Status.values:
                    yield pytest.param(
                        kind, role, action, state, id=f"{kind}-{role}-{action}-{state}"
                    )


@pytest.mark.parametrize(("kind", "role", "action", "state"), list(_matrix()))
def test_role_transition_state_matrix(request, kind, role, action, state, other_editor):
    user = request.getfixturevalue(role)
    if kind == "story":
        obj = _ready_story(state, author=other_editor)
    else:
        story = _ready_story(Status.PUBLISHED, author=other_editor)
        obj = make_issue(stories=[story], status=state)
    before = type(obj).objects.get(pk=obj.pk)

    if (role, action, state) in ALLOWED:
        _take(action, obj, user)
        obj.refresh_from_db()
        assert obj.status == TARGET[action]
        assert obj.version == before.version + 1
        [transition] = _log(obj)
        assert (transition.action, transition.from_status, transition.to_status) == (
            action,
            state,
            TARGET[action],
        )
        assert transition.by == user
    else:
        with pytest.raises((NotAllowed, WrongState)):
            _take(action, obj, user)
        obj.refresh_from_db()
        assert (obj.status, obj.published_at, obj.version) == (
            before.status,
            before.published_at,
            before.version,
        )
        assert not _log(obj).exists()


def test_allowed_actions_lists_exactly_the_buttons_a_user_may_press(editor, reviewer, other_editor):
    draft = _ready_story(Status.DRAFT, author=other_editor)
    in_review = _ready_story(Status.IN_REVIEW, author=other_editor)
    published = _ready_story(Status.PUBLISHED, author=other_editor)
    assert workflow.allowed_actions(draft, editor) == [Action.SUBMIT]
    assert workflow.allowed_actions(in_review, editor) == []
    assert workflow.allowed_actions(published, editor) == []
    assert workflow.allowed_actions(in_review, reviewer) == [
        Action.REQUEST_CHANGES,
        Action.PUBLISH,
    ]
    assert workflow.allowed_actions(published, reviewer) == [Action.UNPUBLISH]


def test_reviewer_cannot_publish_a_story_they_wrote(reviewer):
    story = _ready_story(Status.IN_REVIEW, author=reviewer)
    with pytest.raises(NotAllowed, match="four eyes"):
        workflow.publish(story, by=reviewer)
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    assert not _log(story).exists()


def test_four_eyes_can_be_switched_off(reviewer, settings):
    settings.DIGEST_FOUR_EYES = False
    story = _ready_story(Status.IN_REVIEW, author=reviewer)
    workflow.publish(story, by=reviewer)
    assert Story.objects.published().filter(pk=story.pk).exists()


def test_another_reviewer_can_publish_a_reviewers_story(reviewer, other_reviewer):
    story = _ready_story(Status.IN_REVIEW, author=reviewer)
    workflow.publish(story, by=other_reviewer)
    assert story.status == Status.PUBLISHED
    assert Story.objects.published().filter(pk=story.pk).exists()


def test_request_changes_needs_a_comment(reviewer, editor):
    story = _ready_story(Status.IN_REVIEW, author=editor)
    with pytest.raises(WorkflowError, match="Say what needs changing"):
        workflow.request_changes(story, by=reviewer, comment="   ")
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    assert not _log(story).exists()


def test_request_changes_records_the_comment_for_the_editor(reviewer, editor):
    story = _ready_story(Status.IN_REVIEW, author=editor)
    workflow.request_changes(story, by=reviewer, comment="  Name the regulator.  ")
    [transition] = workflow.history(story)
    assert transition.comment == "Name the regulator."
    assert transition.by == reviewer
    annotated = workflow.with_last_action(Story.objects.filter(pk=story.pk)).get()
    assert (annotated.last_action, annotated.last_comment) == (
        Action.REQUEST_CHANGES,
        "Name the regulator.",
    )


def test_publishing_lists_every_missing_piece(reviewer, editor):
    story = make_story(status=Status.IN_REVIEW, author=editor, summary="", sources=0)
    story.image = "stories/2026/11/photo.jpg"
    story.save()
    revisions.save_revision(story, by=editor)  # as the admin keeps every save
    with pytest.raises(NotReady) as refused:
        workflow.publish(story, by=reviewer)
    assert refused.value.problems == [
        "it needs a summary",
        "it needs at least one source",
        "it needs at least one company",
        "its image needs alt text",
    ]
    assert "needs a summary; it needs at least one source" in str(refused.value)
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    assert not _log(story).exists()


def test_publishing_at_a_future_time_schedules(reviewer, editor):
    story = _ready_story(Status.IN_REVIEW, author=editor)
    at = timezone.now() + timedelta(days=1)
    workflow.publish(story, by=reviewer, at=at)
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    assert story.published_at == at
    assert story.is_scheduled
    assert workflow.state_label(story).startswith("Scheduled for ")
    [transition] = workflow.history(story)
    assert transition.action == Action.SCHEDULE
    assert not Story.objects.published().filter(pk=story.pk).exists()


def test_scheduling_in_the_past_is_refused(reviewer, editor):
    story = _ready_story(Status.IN_REVIEW, author=editor)
    with pytest.raises(WorkflowError, match="already passed"):
        workflow.publish(story, by=reviewer, at=timezone.now() - timedelta(minutes=5))
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW


def test_state_label_shows_the_site_time_zone(editor):
    story = _ready_story(Status.PUBLISHED, author=editor)
    story.published_at = datetime(2099, 7, 1, 9, 30, tzinfo=UTC)
    # Europe/London is on summer time in July: 09:30 UTC is 10:30 BST.
    assert workflow.state_label(story) == "Scheduled for 1 Jul 2099, 10:30 BST"


def test_editor_can_edit_drafts_and_published_stories_and_reviewer_can_correct(
    editor, reviewer, reader
):
    draft = _ready_story(Status.DRAFT, author=editor)
    in_review = _ready_story(Status.IN_REVIEW, author=editor)
    published = _ready_story(Status.PUBLISHED, author=editor)
    assert workflow.can_edit(editor, draft)
    assert not workflow.can_edit(editor, in_review)
    # Editors may start changes to a published story; they wait in review (see test_revisions).
    assert workflow.can_edit(editor, published)
    assert workflow.can_edit(reviewer, in_review)
    assert workflow.can_edit(reviewer, published)
    assert not workflow.can_edit(reader, draft)


def test_bulk_submit_is_all_or_nothing(editor):
    draft = _ready_story(Status.DRAFT, author=editor)
    already = _ready_story(Status.IN_REVIEW, author=editor)
    with pytest.raises(WorkflowError, match="Nothing was changed") as refused:
        workflow.bulk([draft, already], Action.SUBMIT, by=editor)
    assert len(refused.value.problems) == 1
    assert already.headline in refused.value.problems[0]
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not Transition.objects.exists()


def test_bulk_publish_publishes_all(reviewer, editor):
    stories = [_ready_story(Status.IN_REVIEW, author=editor) for _ in range(3)]
    assert workflow.bulk(stories, Action.PUBLISH, by=reviewer) == 3
    assert Story.objects.published().count() == 3
    assert Transition.objects.filter(action=Action.PUBLISH).count() == 3


def test_inactive_reviewer_cannot_publish(reviewer, editor):
    reviewer.is_active = False
    reviewer.save()
    story = _ready_story(Status.IN_REVIEW, author=editor)
    with pytest.raises(NotAllowed):
        workflow.publish(story, by=reviewer)


def test_a_stale_object_cannot_be_published_twice(reviewer, other_reviewer, editor):
    story = _ready_story(Status.IN_REVIEW, author=editor)
    stale_copy = Story.objects.get(pk=story.pk)
    workflow.publish(story, by=reviewer)
    # The second reviewer's page still says "in review"; the locked row says otherwise.
    with pytest.raises(WrongState, match="Reload the page"):
        workflow.publish(stale_copy, by=other_reviewer)
    assert _log(story).count() == 1


def test_only_reviewers_and_superusers_hold_the_publish_permissions(
    editor, reviewer, admin_user, reader
):
    for user, expected in ((editor, False), (reader, False), (reviewer, True), (admin_user, True)):
        assert user.has_perm("stories.publish_story") is expected
        assert user.has_perm("issues.publish_issue") is expected
