"""Every refused revision step changes nothing: rows, revisions, log and corrections stay as
they were. Erin writes; Rita and Rob review; Rex is a reader."""

from datetime import timedelta

import pytest
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
