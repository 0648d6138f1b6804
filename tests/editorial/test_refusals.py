"""Every refused revision step changes nothing: rows, revisions, log and corrections stay as
they were. Erin writes; Rita and Rob review; Rex is a reader."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone

from editorial import revisions, workflow
from editorial.models import Revision, Transition
from editorial.workflow import WorkflowError
from stories.models import Correction, Status, Story
from tests.factories import make_company, make_story

pytestmark = pytest.mark.django_db


def _snapshot(story):
    story = Story.objects.get(pk=story.pk)
    return (
        revisions.serialize(story),
        story.status,
        story.pending_status,
        story.version,
        story.latest_revision_id,
        story.live_revision_id,
        Revision.objects.count(),
        Transition.objects.count(),
        Correction.objects.count(),
    )


def _published_with_changes(editor, by, pending):
    story = make_story(status=Status.PUBLISHED, author=editor, companies=[make_company()])
    content = revisions.serialize(story)
    content["fields"]["headline"] = "Changed text"
    revisions.save_revision(story, by=by, content=content)
    Story.objects.filter(pk=story.pk).update(pending_status=pending)
    story.refresh_from_db()
    return story


CASES = {
    "editor publishes pinned": ("editor", "editor", Status.IN_REVIEW, "publish", {}),
    "reader publishes pinned": ("reader", "editor", Status.IN_REVIEW, "publish", {}),
    "reviewer publishes a stale revision": ("reviewer", "editor", Status.IN_REVIEW, "stale", {}),
    "reviewer publishes own revision": ("reviewer", "reviewer", Status.IN_REVIEW, "publish", {}),
    "reviewer publishes changes still in draft": (
        "reviewer",
        "editor",
        Status.DRAFT,
        "publish",
        {},
    ),
    "reviewer schedules changes to a public story": (
        "reviewer",
        "editor",
        Status.IN_REVIEW,
        "schedule",
        {},
    ),
    "reader restores": ("reader", "editor", Status.DRAFT, "restore", {}),
    "editor restores while in review": ("editor", "editor", Status.IN_REVIEW, "restore", {}),
    "editor submits changes already in review": (
        "editor",
        "editor",
        Status.IN_REVIEW,
        "submit",
        {},
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_refused_revision_step_changes_nothing(case, editor, reviewer, other_reviewer, reader):
    people = {"editor": editor, "reviewer": reviewer, "reader": reader}
    who, writer, pending, step, _ = CASES[case]
    story = _published_with_changes(editor, people[writer], pending)
    before = _snapshot(story)
    user = people[who]
    with pytest.raises(WorkflowError):
        if step == "publish":
            workflow.publish(story, by=user, revision=story.latest_revision_id)
        elif step == "stale":
            workflow.publish(story, by=user, revision=story.live_revision_id)
        elif step == "schedule":
            workflow.publish(
                story,
                by=user,
                revision=story.latest_revision_id,
                at=timezone.now() + timedelta(days=1),
            )
        elif step == "restore":
            workflow.restore(story, story.live_revision_id, by=user)
        elif step == "submit":
            workflow.submit(story, by=user)
    assert _snapshot(story) == before


def test_a_correction_on_a_first_publication_is_refused_and_changes_nothing(editor, reviewer):
    story = make_story(status=Status.IN_REVIEW, author=editor, companies=[make_company()])
    before = _snapshot(story)
    with pytest.raises(WorkflowError, match="correction note"):
        workflow.publish(story, by=reviewer, correction="Nothing was published yet.")
    assert _snapshot(story) == before


def test_an_edit_of_a_published_story_without_the_right_is_refused_and_changes_nothing(
    client, editor
):
    """Vic may view stories but not change them."""
    vic = User.objects.create_user("vic", password="x", is_staff=True)
    vic.user_permissions.set(
        Permission.objects.filter(content_type__app_label="stories", codename="view_story")
    )
    story = make_story(status=Status.PUBLISHED, author=editor, companies=[make_company()])
    before = _snapshot(story)
    client.force_login(vic)
    url = reverse("admin:stories_story_change", args=[story.pk])
    response = client.post(url, {"headline": "Vic's headline", "loaded_version": story.version})
    assert response.status_code == 403
    assert _snapshot(story) == before


def test_a_restore_of_another_objects_revision_is_refused_and_changes_nothing(editor):
    story = make_story(status=Status.PUBLISHED, author=editor, companies=[make_company()])
    other = make_story(author=editor)
    before = _snapshot(story)
    with pytest.raises(WorkflowError, match="does not belong"):
        workflow.restore(story, other.latest_revision_id, by=editor)
    assert _snapshot(story) == before
