"""Moving the workflow log, share links and the company registry into apps of their own keeps
every row: the database goes back to before the moves, gets content there, and migrates on."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from companies.models import Company, Platform, Topic
from editorial.models import Revision, ShareLink, Transition
from issues.models import Issue
from stories.models import Story
from tests.roles import ensure_roles

# serialized_rollback: other transactional tests find the database as migrations left it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BEFORE_THE_MOVES = [
    ("stories", "0002_roles"),
    ("issues", "0002_initial"),
    ("editorial", None),
    ("companies", None),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    # The models as they were at the named migrations (apps unapplied whole are not in it).
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_moved_tables_keep_their_rows_links_and_rights():
    old = _migrate(BEFORE_THE_MOVES)
    try:
        ContentType = old.get_model("contenttypes", "ContentType")
        story_type, _ = ContentType.objects.get_or_create(app_label="stories", model="story")
        alibaba = old.get_model("stories", "Company").objects.create(name="Alibaba", slug="alibaba")
        taobao = old.get_model("stories", "Platform").objects.create(
            name="Taobao", slug="taobao", owner=alibaba
        )
        topic = old.get_model("stories", "Topic").objects.create(name="Retail", slug="retail")
        story = old.get_model("stories", "Story").objects.create(
            headline="Taobao cuts fees",
            slug="taobao-cuts-fees",
            summary="Merchants pay less.",
            status="published",
            published_at=timezone.now() - timedelta(days=1),
        )
        story.companies.add(alibaba)
        story.platforms.add(taobao)
        story.topics.add(topic)
        old.get_model("stories", "Source").objects.create(
            story=story, publisher="Caixin", url="https://caixin.example/1", position=0
        )
        old.get_model("stories", "Transition").objects.create(
            content_type=story_type,
            object_id=story.pk,
            action="publish",
            from_status="in_review",
            to_status="published",
        )
        old.get_model("stories", "ShareLink").objects.create(
            content_type=story_type,
            object_id=story.pk,
            token_hash="0" * 64,
            expires_at=timezone.now() + timedelta(days=1),
        )
        old.get_model("issues", "Issue").objects.create(number=1, title="First")
    finally:
        _migrate(_latest())

    story = Story.objects.get(slug="taobao-cuts-fees")
    assert [c.name for c in story.companies.all()] == ["Alibaba"]
    assert Platform.objects.get(slug="taobao").owner == Company.objects.get(slug="alibaba")
    assert list(story.topics.all()) == [Topic.objects.get(slug="retail")]
    assert Story.objects.published().filter(pk=story.pk).exists()
    [transition] = Transition.objects.of(story)
    assert transition.action == "publish"
    assert ShareLink.objects.get().target == story
    # Existing rows got their first revision, and a published one shows it.
    assert story.live_revision == story.latest_revision
    assert story.latest_revision.content["children"]["sources"][0]["publisher"] == "Caixin"
    assert Revision.objects.of(Issue.objects.get(number=1)).count() == 1
    # The roles still hold their rights under the new names.
    ensure_roles()
    from django.contrib.auth.models import Group

    reviewers = Group.objects.get(name="Reviewers").permissions
    assert reviewers.filter(content_type__app_label="editorial", codename="add_sharelink").exists()
    assert reviewers.filter(content_type__app_label="companies", codename="view_company").exists()
