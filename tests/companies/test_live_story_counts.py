"""The company index's counts are kept with the rows they count, and stay right for readers.

Each company, platform and topic stores how many live stories (published or scheduled) name it;
readers see that number minus the scheduled stories still waiting. Alibaba's count is checked
after every kind of change, against a count of the stories themselves.
"""

import importlib
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from editorial import workflow
from stories.models import Company, Platform, Status, Story, Topic
from tests.factories import make_company, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db


def counted(model=Company):
    """{pk: live stories} counted from the stories themselves, the slow way."""
    rows = model.objects.annotate(
        n=Count("stories", filter=Q(stories__status=Status.PUBLISHED))
    ).values_list("pk", "n")
    return dict(rows)


def stored(model=Company):
    return dict(model.objects.values_list("pk", "live_story_count"))


def assert_counts_true():
    for model in (Company, Platform, Topic):
        assert stored(model) == counted(model), model.__name__


def public_count(company, now=None):
    [row] = Company.objects.filter(pk=company.pk).with_published_counts(now=now)
    return row.published_count


@pytest.fixture
def alibaba():
    return make_company("Alibaba Group", slug="alibaba-group")


def test_publishing_and_unpublishing_move_the_count(alibaba, editor, reviewer):
    story = make_story(status=Status.IN_REVIEW, companies=[alibaba], author=editor)
    make_story(status=Status.DRAFT, companies=[alibaba])
    assert public_count(alibaba) == 0
    workflow.publish(story, by=reviewer)
    assert public_count(alibaba) == 1
    assert_counts_true()
    workflow.unpublish(story, by=reviewer)
    assert public_count(alibaba) == 0
    assert_counts_true()


def test_retagging_a_published_story_moves_the_count(alibaba):
    tencent = make_company("Tencent", slug="tencent")
    wechat = make_platform("WeChat", owner=tencent)
    story = make_story(status=Status.PUBLISHED, companies=[alibaba], topics=[make_topic()])
    assert (public_count(alibaba), public_count(tencent)) == (1, 0)
    story.companies.set([tencent])  # what publishing a revision with other tags does
    story.platforms.add(wechat)
    story.topics.clear()
    assert (public_count(alibaba), public_count(tencent)) == (0, 1)
    assert_counts_true()
    # Tags of a draft do not count until it is published.
    draft = make_story(status=Status.DRAFT, companies=[alibaba, tencent])
    assert (public_count(alibaba), public_count(tencent)) == (0, 1)
    now = timezone.now()
    Story.objects.filter(pk=draft.pk).update(
        status=Status.PUBLISHED, published_at=now, content_changed_at=now
    )
    assert (public_count(alibaba), public_count(tencent)) == (1, 2)
    assert_counts_true()


def test_deleting_a_story_takes_its_count_with_it(alibaba):
    story = make_story(status=Status.PUBLISHED, companies=[alibaba], platforms=[make_platform()])
    make_story(status=Status.PUBLISHED, companies=[alibaba])
    assert public_count(alibaba) == 2
    story.delete()
    assert public_count(alibaba) == 1
    Story.objects.all().delete()
    assert public_count(alibaba) == 0
    assert_counts_true()


def test_deleting_a_story_before_its_tag_rows_counts_too(alibaba):
    story = make_story(status=Status.PUBLISHED, companies=[alibaba], sources=0, authors=[])
    with transaction.atomic(), connection.cursor() as cursor:
        # The foreign keys are checked at commit: the tag row may outlive its story a moment.
        cursor.execute("DELETE FROM stories_story WHERE id = %s", [story.pk])
        cursor.execute("DELETE FROM stories_story_companies WHERE story_id = %s", [story.pk])
    assert public_count(alibaba) == 0
    assert_counts_true()


def test_a_scheduled_story_counts_from_its_moment_without_any_write(alibaba, editor, reviewer):
    story = make_story(status=Status.IN_REVIEW, companies=[alibaba], author=editor)
    at = timezone.now() + timedelta(hours=1)
    workflow.publish(story, by=reviewer, at=at)
    alibaba.refresh_from_db()
    assert alibaba.live_story_count == 1
    assert public_count(alibaba) == 0  # not yet: readers must not learn of it
    assert public_count(alibaba, now=at + timedelta(seconds=1)) == 1
    # The same with the moment set directly, in the past: nothing else is written.
    Story.objects.filter(pk=story.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert public_count(alibaba) == 1
    assert_counts_true()


def test_the_company_index_never_counts_a_scheduled_story(client, alibaba):
    make_story(status=Status.PUBLISHED, companies=[alibaba])
    make_story(
        status=Status.PUBLISHED,
        published_at=timezone.now() + timedelta(days=2),
        companies=[alibaba],
    )
    page = client.get("/companies/").content.decode()
    assert '<span class="count">1 story</span>' in page


def test_saving_a_company_form_keeps_the_count(alibaba):
    stale = Company.objects.get(pk=alibaba.pk)  # opened in the admin before the story went out
    make_story(status=Status.PUBLISHED, companies=[alibaba])
    stale.description = "Edited."
    stale.save()
    Company.objects.filter(pk=alibaba.pk).update(live_story_count=99)
    new = Company.objects.create(name="Fresh", slug="fresh", live_story_count=5)
    assert public_count(alibaba) == 1
    assert Company.objects.get(pk=new.pk).live_story_count == 0
    assert_counts_true()


def test_the_migration_backfills_existing_rows(alibaba):
    make_story(status=Status.PUBLISHED, companies=[alibaba], topics=[make_topic()])
    make_story(status=Status.DRAFT, companies=[alibaba])
    migration = importlib.import_module("stories.migrations.0009_live_story_counts")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('digest.recount', 'on', false)")
        for table in ("companies_company", "companies_platform", "companies_topic"):
            cursor.execute(f"UPDATE {table} SET live_story_count = 7")  # as if never kept
        cursor.execute("SELECT set_config('digest.recount', 'off', false)")
    assert stored()[alibaba.pk] == 7
    with connection.cursor() as cursor:
        cursor.execute(migration._recount())
    assert public_count(alibaba) == 1
    assert_counts_true()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_tag_added_while_another_transaction_publishes_is_counted():
    """Erin tags a story with Alibaba while Rita's publish of it is not yet committed: each
    transaction's trigger alone would miss the other's change."""
    alibaba = make_company("Alibaba Group", slug="alibaba-group")
    story = make_story(status=Status.IN_REVIEW)
    published = threading.Event()
    errors = []

    def publish():
        try:
            with transaction.atomic():
                now = timezone.now()
                Story.objects.filter(pk=story.pk).update(
                    status=Status.PUBLISHED, published_at=now, content_changed_at=now
                )
                published.set()
                # Erin's tag is inserted meanwhile and waits for this commit.
                threading.Event().wait(1.0)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=publish)
    thread.start()
    assert published.wait(10)
    story.companies.add(alibaba)
    thread.join(30)
    assert not errors
    assert public_count(alibaba) == 1
    assert_counts_true()
