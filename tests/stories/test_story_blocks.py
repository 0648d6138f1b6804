"""Each story's block on an issue page is stored when its rows change (stories.fragments), and
readers get exactly what the rows say now: never a stale name, never an unpublished story.

Erin writes, Rita publishes; the stories are about Taobao Group, run on Taobao and are filed
under E-commerce.
"""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from editorial import revisions, workflow
from issues.fragments import store_stories
from issues.models import Issue
from stories.models import Source, Status, Story
from tests.factories import make_company, make_issue, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def tags():
    group = make_company("Taobao Group", slug="taobao-group")
    return {
        "company": group,
        "platform": make_platform("Taobao", owner=group, slug="taobao"),
        "topic": make_topic("E-commerce", slug="e-commerce"),
    }


def _tagged_story(tags, headline, **kwargs):
    return make_story(
        headline,
        companies=[tags["company"]],
        platforms=[tags["platform"]],
        topics=[tags["topic"]],
        **kwargs,
    )


def _block(story):
    return Story.objects.get(pk=story.pk).block_html


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_publishing_a_story_stores_its_block_from_the_published_revision(tags, editor, reviewer):
    story = _tagged_story(tags, "Taobao pays sellers faster", status=Status.IN_REVIEW)
    content = revisions.serialize(story)
    content["fields"]["summary"] = "Sellers get paid in one day."
    content["children"]["sources"] = [
        {"publisher": "Caixin", "url": "https://caixin.example/pay", "position": 0}
    ]
    workflow.keep_revision(story, by=editor, content=content)

    workflow.publish(story, by=reviewer)

    block = _block(story)
    assert '<p class="dek">Sellers get paid in one day.</p>' in block
    assert '<a href="https://caixin.example/pay" rel="noopener nofollow">Caixin</a>' in block
    assert 'href="/companies/taobao-group/">Taobao Group</a>' in block
    assert 'href="/platforms/taobao/">Taobao</a>' in block
    assert 'href="/topics/e-commerce/">E-commerce</a>' in block
    assert "Publisher 1" not in block  # the source the revision dropped


def test_publishing_changes_to_a_public_story_re_renders_its_block(tags, editor, reviewer):
    story = _tagged_story(tags, "Taobao pays sellers faster", status=Status.PUBLISHED)
    other = make_company("Alibaba Group", slug="alibaba-group")
    content = revisions.serialize(story)
    content["tags"]["companies"] = [other.pk]
    content["tags"]["topics"] = []
    workflow.keep_revision(story, by=editor, content=content)
    assert 'href="/companies/taobao-group/"' in _block(story)  # readers keep the public text

    workflow.submit(story, by=editor)
    workflow.publish(story, by=reviewer)

    block = _block(story)
    assert 'href="/companies/alibaba-group/">Alibaba Group</a>' in block
    assert "Taobao Group" not in block
    assert "E-commerce" not in block


def test_the_issue_page_prints_its_stored_stories(client, tags):
    story = _tagged_story(tags, "Taobao pays sellers faster", status=Status.PUBLISHED)
    issue = make_issue(12, stories=[story], status=Status.PUBLISHED)
    stored = Issue.objects.get(pk=issue.pk)
    assert '<span class="story-number" aria-hidden="true">1</span>' in stored.contents_html
    assert _block(story) in stored.contents_html
    Issue.objects.filter(pk=issue.pk).update(contents_html="<p>The stored stories</p>")

    page = _page(client, "/issues/12/")

    assert "<p>The stored stories</p>" in page
    assert "Taobao Group" not in page  # nothing rendered again from the stories


def test_a_scheduled_story_appears_on_time_without_any_write(client, tags, settings):
    settings.DIGEST_PAGE_CACHE_SECONDS = 0  # the stored stories alone, not the page cache
    public = _tagged_story(tags, "Taobao pays sellers faster", status=Status.PUBLISHED)
    later = timezone.now() + timedelta(hours=2)
    scheduled = _tagged_story(
        tags, "Taobao opens in Brazil", status=Status.PUBLISHED, published_at=later
    )
    issue = make_issue(12, stories=[public, scheduled], status=Status.PUBLISHED)
    assert Issue.objects.get(pk=issue.pk).stories_until == later
    Story.objects.filter(pk=scheduled.pk).update(block_html="<p>Brazil block</p>")

    page = _page(client, "/issues/12/")
    assert "Taobao opens in Brazil" not in page and "Brazil block" not in page

    with time_machine.travel(later + timedelta(seconds=1)):
        page = _page(client, "/issues/12/")
    assert '<span class="story-number" aria-hidden="true">2</span> <a href="' in page
    assert "Taobao opens in Brazil" in page and "<p>Brazil block</p>" in page


def test_a_scheduled_issue_is_stored_as_it_will_read_when_it_goes_out(client, tags, reviewer):
    story = _tagged_story(tags, "Taobao pays sellers faster", status=Status.IN_REVIEW)
    issue = make_issue(12, stories=[story], status=Status.IN_REVIEW)
    at = timezone.now() + timedelta(days=1)

    workflow.publish(issue, by=reviewer, at=at)

    stored = Issue.objects.get(pk=issue.pk)
    assert "Taobao pays sellers faster" in stored.contents_html
    assert stored.stories_until is None
    assert client.get("/issues/12/").status_code == 404  # until then
    with time_machine.travel(at + timedelta(seconds=1)):
        assert "Taobao pays sellers faster" in _page(client, "/issues/12/")


@pytest.mark.parametrize("kind", ["company", "platform", "topic"])
def test_renaming_a_tag_shows_at_once_on_the_published_pages(client, tags, kind):
    story = _tagged_story(tags, "Taobao pays sellers faster", status=Status.PUBLISHED)
    make_issue(12, stories=[story], status=Status.PUBLISHED)
    urls = ["/issues/12/", "/", story.get_absolute_url()]
    for url in urls:
        _page(client, url)  # rendered (and cached) with the old name

    tag = tags[kind]
    old_name, old_url = tag.name, tag.get_absolute_url()
    tag.name, tag.slug = "Renamed <Tag>", "renamed-tag"
    tag.save()

    new_url = tag.get_absolute_url()
    for url in urls:
        page = _page(client, url)
        assert f'href="{new_url}"' in page, url
        assert "Renamed &lt;Tag&gt;" in page, url
        assert f'href="{old_url}"' not in page, url
        assert f">{old_name}<" not in page, url


def test_adding_a_source_or_tag_outside_the_workflow_reaches_the_block(tags):
    story = make_story("Taobao pays sellers faster", status=Status.PUBLISHED, sources=0)
    Source.objects.create(story=story, publisher="Reuters", url="https://reuters.example/a")
    tags["company"].stories.add(story)  # from the company's side

    block = _block(story)
    assert "Reuters" in block
    assert "Taobao Group" in block

    tags["company"].stories.clear()
    Source.objects.filter(story=story).delete()
    block = _block(story)
    assert "Reuters" not in block
    assert "Taobao Group" not in block


def test_unpublished_and_scheduled_stories_never_reach_readers(client, tags, reviewer):
    public = _tagged_story(tags, "Taobao pays sellers faster", status=Status.PUBLISHED)
    scheduled = _tagged_story(
        tags,
        "Taobao opens in Brazil",
        status=Status.PUBLISHED,
        published_at=timezone.now() + timedelta(days=1),
        body="Scheduled body text.",
    )
    taken_back = _tagged_story(
        tags, "Taobao drops a fee", status=Status.PUBLISHED, body="Taken back body text."
    )
    make_issue(12, stories=[public, scheduled, taken_back], status=Status.PUBLISHED)
    _page(client, "/issues/12/")
    workflow.unpublish(taken_back, by=reviewer)
    # Their blocks are stored like any other: only the published() gate keeps them away.
    assert "Scheduled body text." in _block(scheduled)
    assert "Taken back body text." in _block(taken_back)

    for url in ("/issues/12/", "/"):
        page = _page(client, url)
        assert "Taobao pays sellers faster" in page
        assert "Scheduled body text." not in page and "Taobao opens in Brazil" not in page
        assert "Taken back body text." not in page and "Taobao drops a fee" not in page
        assert 'id="story-2"' not in page  # numbered 1..N among the public stories only


def test_a_preview_renders_blocks_live_from_the_rows(client, tags, reviewer):
    story = _tagged_story(tags, "Taobao pays sellers faster", status=Status.DRAFT)
    issue = make_issue(12, stories=[story])
    Story.objects.filter(pk=story.pk).update(block_html="<p>The stored block</p>")
    Issue.objects.filter(pk=issue.pk).update(contents_html="<p>The stored stories</p>")
    client.force_login(reviewer)

    page = _page(client, reverse("issue_preview", args=[issue.pk]))

    assert "The stored block" not in page and "The stored stories" not in page
    assert 'href="/companies/taobao-group/">Taobao Group</a>' in page


def test_rows_without_a_stored_block_are_rendered_for_the_page(tags):
    story = _tagged_story(tags, "Taobao pays sellers faster", status=Status.PUBLISHED)
    issue = make_issue(12, stories=[story], status=Status.PUBLISHED)
    Story.objects.filter(pk=story.pk).update(block_html="")  # as a bulk insert leaves it

    store_stories([issue.pk])

    stored = Issue.objects.get(pk=issue.pk).contents_html
    assert 'href="/companies/taobao-group/">Taobao Group</a>' in stored


def test_hostile_names_are_escaped_on_every_page_that_prints_them(client):
    evil = "<script>alert(1)</script>"
    company = make_company(evil, slug="evil-co")
    platform = make_platform(f"{evil} app", owner=company, slug="evil-app")
    topic = make_topic(f"{evil} topic", slug="evil-topic")
    story = make_story(
        f"{evil} headline",
        status=Status.PUBLISHED,
        summary=f"{evil} summary",
        companies=[company],
        platforms=[platform],
        topics=[topic],
        sources=0,
    )
    Source.objects.create(story=story, publisher=f"{evil} Daily", url='https://x.example/"><b>')
    make_issue(12, title=f"{evil} issue", stories=[story], status=Status.PUBLISHED)

    for url in (
        "/issues/12/",
        "/",
        story.get_absolute_url(),
        "/companies/evil-co/",
        "/platforms/evil-app/",
        "/topics/evil-topic/",
        "/search/?q=headline",
    ):
        page = _page(client, url)
        assert "<script>alert" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
    issue_page = _page(client, "/issues/12/")
    assert 'href="https://x.example/&quot;&gt;&lt;b&gt;"' in issue_page
    assert "<title>Issue #12: &lt;script&gt;" in issue_page  # the head's meta tags too
    assert 'content="Issue #12: &lt;script&gt;' in issue_page


def test_a_story_page_places_the_story_among_the_stories_shown_now(client, tags, settings):
    settings.DIGEST_PAGE_CACHE_SECONDS = 0  # the stored list alone, not the page cache
    first = _tagged_story(tags, "Taobao pays sellers faster", status=Status.PUBLISHED)
    later = timezone.now() + timedelta(hours=2)
    scheduled = _tagged_story(
        tags, "Taobao opens in Brazil", status=Status.PUBLISHED, published_at=later
    )
    last = _tagged_story(tags, "Taobao drops a fee", status=Status.PUBLISHED)
    make_issue(12, stories=[first, scheduled, last], status=Status.PUBLISHED)

    page = _page(client, last.get_absolute_url())
    assert "Ran in Issue #12, story 2" in page
    assert f'<a rel="prev" href="{first.get_absolute_url()}">' in page

    with time_machine.travel(later + timedelta(seconds=1)):
        page = _page(client, last.get_absolute_url())
    assert "Ran in Issue #12, story 3" in page
    assert f'<a rel="prev" href="{scheduled.get_absolute_url()}">' in page


def test_deleting_a_story_takes_it_off_its_issue_at_once(client, tags):
    kept = _tagged_story(tags, "Taobao pays sellers faster", status=Status.PUBLISHED)
    gone = _tagged_story(tags, "Taobao drops a fee", status=Status.PUBLISHED)
    make_issue(12, stories=[kept, gone], status=Status.PUBLISHED)
    assert "Taobao drops a fee" in _page(client, "/issues/12/")

    gone.delete()

    page = _page(client, "/issues/12/")
    assert "Taobao drops a fee" not in page
    assert 'id="story-2"' not in page
