"""Two reviewers pressing Publish at the same moment produce exactly one transition."""

import threading

import pytest
from django.db import connection

from editorial import workflow
from editorial.models import Transition
from editorial.workflow import WrongState
from stories.models import Status
from tests.factories import make_company, make_issue, make_story
from tests.roles import ensure_roles

# serialized_rollback: other transactional tests find the database as migrations left it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def roles(transactional_db):
    ensure_roles()


@pytest.mark.parametrize("kind", ["story", "issue"])
def test_two_concurrent_publishes_yield_one_transition(kind, reviewer, other_reviewer, editor):
    story = make_story(status=Status.IN_REVIEW, companies=[make_company()], author=editor)
    obj = story if kind == "story" else make_issue(stories=[story], status=Status.IN_REVIEW)
    barrier = threading.Barrier(2)
    outcomes = []

    def press_publish(user):
        try:
            # Each thread loads its own copy, as two browsers would, then both press at once.
            mine = type(obj).objects.get(pk=obj.pk)
            barrier.wait(timeout=10)
            workflow.publish(mine, by=user)
            outcomes.append("published")
        except WrongState:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=press_publish, args=(user,)) for user in (reviewer, other_reviewer)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["published", "refused"]
    # One transition for the object (and, for an issue, one for the story it published).
    assert [t.action for t in workflow.history(obj)] == ["publish"]
    assert [t.action for t in workflow.history(story)] == ["publish"]
    assert Transition.objects.count() == (1 if kind == "story" else 2)
    obj.refresh_from_db()
    assert obj.status == Status.PUBLISHED
    assert obj.version == 2
