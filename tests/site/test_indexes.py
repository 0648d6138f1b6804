"""The /platforms/ and /topics/ indexes and the compact company index: what they list and
count (published stories only), their place in the masthead and footer."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from stories.models import Status
from tests.factories import make_company, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def rows(page):
    """(name, count) of each listed row, in order."""
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>.*?<span class="count">([^<]+)</span>', page)


def test_platform_index_lists_platforms_with_published_stories_and_their_owners(client, newsroom):
    only_drafts = make_platform("Douyin", owner=newsroom.bytedance, slug="douyin")
    make_story(platforms=[only_drafts])
    make_story(
        platforms=[only_drafts],
        status=Status.PUBLISHED,
        published_at=timezone.now() + timedelta(hours=3),  # scheduled
    )
    make_platform("Unused", owner=newsroom.pdd, slug="unused")
    page = html(client.get("/platforms/"))
    # Taobao's hidden stories (a draft, one in review, one scheduled) are not counted.
    assert rows(page) == [("Taobao", "1 story"), ("TikTok", "1 story")]
    assert 'href="/platforms/taobao/"' in page
    assert "E-commerce · Taobao and Tmall Group" in page
    assert "Douyin" not in page and "Unused" not in page


def test_topic_index_lists_topics_with_published_stories_and_counts(client, newsroom):
    quiet = make_topic("Climate", slug="climate")
    make_story(topics=[quiet])  # a draft
    page = html(client.get("/topics/"))
    assert rows(page) == [("E-commerce", "2 stories"), ("Regulation", "1 story")]
    assert 'href="/topics/e-commerce/"' in page and "Climate" not in page


def test_an_index_without_anything_published_says_so(client, db):
    assert "No platforms with a published story yet." in html(client.get("/platforms/"))
    assert "No topics with a published story yet." in html(client.get("/topics/"))
    assert "No company has a published story yet." in html(client.get("/companies/"))


def test_a_scheduled_story_is_counted_once_its_time_comes(client, db, time_machine):
    topic = make_topic("Live streaming", slug="live-streaming")
    make_story(
        topics=[topic],
        status=Status.PUBLISHED,
        published_at=timezone.now() + timedelta(hours=1),
    )
    assert "Live streaming" not in html(client.get("/topics/"))
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    assert rows(html(client.get("/topics/"))) == [("Live streaming", "1 story")]


def test_masthead_and_footer_link_every_index(client, newsroom):
    page = html(client.get("/"))
    masthead = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    footer = page.split('<nav aria-label="Site">')[1].split("</nav>")[0]
    for part in (masthead, footer):
        for url in ("/issues/", "/companies/", "/platforms/", "/topics/"):
            assert f'href="{url}"' in part


def test_a_company_inside_a_cycle_of_parents_is_still_listed(client, db):
    """The registry refuses a company as its own parent only; two that name each other have no
    top, and must not vanish from the index."""
    first = make_company("First Co", slug="first-co")
    second = make_company("Second Co", slug="second-co", parent=first)
    first.parent = second
    first.save()
    make_story(status=Status.PUBLISHED, companies=[first])
    page = html(client.get("/companies/"))
    assert re.search(r'>First Co</a> <span class="count">1 story</span>', page)
    assert ">Second Co</a>" not in page  # no story of its own, and First Co is shown already
