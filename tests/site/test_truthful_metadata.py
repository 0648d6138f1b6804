"""Metadata that tells the truth: the sitemap names every page worth crawling, and its lastmod,
the feeds' updated and the pages' dateModified say when readers last saw a change, not when a
row was last saved. Structured data says what each page is about, in schema.org's words.

Erin (`editor`) writes, Rita (`reviewer`) publishes. Everything public starts as published on
5 January (PAST), so any date that moved shows.
"""

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import feedparser
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from editorial import workflow
from issues.models import Issue
from stories.models import Correction, Status, Story
from tests.adminform import save_change_form
from tests.factories import make_company, make_platform
from tests.site.test_feeds_and_crawlers import sitemap_urls

pytestmark = pytest.mark.django_db

PAST = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
PAST_W3C = "2026-01-05T09:00:00+00:00"
SITE = "http://testserver"


@pytest.fixture(autouse=True)
def _render_every_time(settings):
    # Rows are back-dated with update(), which announces nothing to the page cache.
    settings.DIGEST_PAGE_CACHE_SECONDS = 0


def _backdate():
    for model in (Story, Issue):
        model.objects.filter(status=Status.PUBLISHED, published_at__lte=timezone.now()).update(
            published_at=PAST, content_changed_at=PAST
        )


OPEN = '<script type="application/ld+json">'


def jsonld(client, path):
    """The JSON-LD blocks of a page, cut where a browser ends each script element: at the first
    `</script` that follows, whatever its case and whatever comes after it."""
    page = client.get(path).content.decode()
    blocks, start = [], page.find(OPEN)
    while start != -1:
        end = page.lower().index("</script", start)
        blocks.append(json.loads(page[start + len(OPEN) : end]))
        start = page.find(OPEN, end)
    return blocks


def _feed_updated(client, path, link):
    feed = feedparser.parse(client.get(path).content)
    entry = next(e for e in feed.entries if e.link == link)
    return entry.updated, feed.feed.updated


def snapshot(client):
    """Every date a crawler or a feed reader gets for issue #7 and its story about Alibaba."""
    sitemap = sitemap_urls(client)
    (story,) = jsonld(client, "/stories/singles-day-growth/")
    (issue,) = jsonld(client, "/issues/7/")
    return {
        "sitemap story": sitemap[f"{SITE}/stories/singles-day-growth/"],
        "sitemap issue": sitemap[f"{SITE}/issues/7/"],
        "sitemap home": sitemap[f"{SITE}/"],
        "sitemap archive": sitemap[f"{SITE}/issues/"],
        "sitemap company": sitemap[f"{SITE}/companies/alibaba-group/"],
        "story dateModified": story["dateModified"],
        "issue dateModified": issue["dateModified"],
        "issue feed": _feed_updated(client, "/feeds/issues/atom/", f"{SITE}/issues/7/"),
        "company feed": _feed_updated(
            client, "/feeds/companies/alibaba-group/atom/", f"{SITE}/stories/singles-day-growth/"
        ),
    }


def test_the_sitemap_lists_the_home_page_the_archive_and_the_indexes(client, newsroom):
    locations = sitemap_urls(client)
    for path in ("/", "/issues/", "/companies/"):
        assert locations[SITE + path], path  # listed, with a lastmod


def test_saves_readers_never_see_leave_every_date_alone(client, newsroom, editor):
    _backdate()
    before = snapshot(client)
    assert before["sitemap story"] == before["sitemap issue"] == PAST_W3C
    assert before["story dateModified"] == PAST.isoformat()

    story = newsroom.singles
    save_change_form(Client(), editor, story, headline="A draft change nobody reads yet")
    workflow.submit(story, by=editor)
    Story.objects.get(pk=story.pk).save()  # any other save of the row (stored fragments, ...)
    Issue.objects.get(number=7).save()

    assert Story.objects.get(pk=story.pk).updated_at > PAST  # what the dates used to show
    assert snapshot(client) == before


@pytest.mark.parametrize("correction", ["", "An earlier version gave the wrong date."])
def test_publishing_changes_moves_the_dates_of_every_page_that_shows_them(
    client, newsroom, editor, reviewer, correction
):
    _backdate()
    before = snapshot(client)
    story = newsroom.singles
    save_change_form(Client(), editor, story, headline="Alibaba and JD.com post growth")
    workflow.submit(story, by=editor)
    started = timezone.now().replace(microsecond=0)
    workflow.publish(story, by=reviewer, correction=correction)

    after = snapshot(client)
    assert all(after[key] != before[key] for key in before), after
    story.refresh_from_db()
    assert story.published_at == PAST  # first published then; changed now
    assert story.content_changed_at >= started
    changed = story.content_changed_at.replace(microsecond=0).isoformat()
    assert after["sitemap story"] == after["sitemap issue"] == after["sitemap home"] == changed
    assert after["story dateModified"] == story.content_changed_at.isoformat()
    if correction:
        note = Correction.objects.get(story=story)
        assert note.created_at == story.content_changed_at
        (data,) = jsonld(client, story.get_absolute_url())
        assert data["correction"][0]["datePublished"] == data["dateModified"]


def test_unpublishing_and_publishing_again_moves_the_date(client, newsroom, editor, reviewer):
    _backdate()
    story = newsroom.singles
    workflow.unpublish(story, by=reviewer)
    story.refresh_from_db()
    assert story.content_changed_at > PAST  # readers saw it go
    assert f"{SITE}/stories/singles-day-growth/" not in sitemap_urls(client)
    workflow.submit(story, by=editor)
    workflow.publish(story, by=reviewer)
    lastmod = sitemap_urls(client)[f"{SITE}/stories/singles-day-growth/"]
    assert lastmod == story.content_changed_at.replace(microsecond=0).isoformat()
    assert lastmod > PAST_W3C


def test_a_company_is_modified_when_a_story_of_its_group_changes(client, newsroom):
    """Alibaba's timeline shows the stories of Tmall Global, a subsidiary of its subsidiary."""
    _backdate()
    later = PAST + timedelta(days=3)
    Story.objects.filter(pk=newsroom.global_story.pk).update(content_changed_at=later)
    sitemap = sitemap_urls(client)
    for slug in ("alibaba-group", "taobao-tmall", "tmall-global"):
        assert sitemap[f"{SITE}/companies/{slug}/"] == later.isoformat(), slug
    assert sitemap[f"{SITE}/companies/bytedance/"] == PAST_W3C


def test_an_issue_is_modified_when_a_story_scheduled_in_it_goes_public(client, newsroom):
    _backdate()
    scheduled = newsroom.hidden["scheduled"]
    assert Issue.objects.get(number=7).entries.filter(story=scheduled).exists()
    assert sitemap_urls(client)[f"{SITE}/issues/7/"] == PAST_W3C
    with time_machine.travel(scheduled.published_at + timedelta(minutes=1)):
        (issue,) = jsonld(client, "/issues/7/")
        assert issue["dateModified"] == scheduled.published_at.isoformat()
        lastmod = sitemap_urls(client)[f"{SITE}/issues/7/"]
    assert lastmod == scheduled.published_at.replace(microsecond=0).isoformat()


def test_reloading_the_demo_moves_no_date_and_dates_are_the_demos_own(client, settings):
    call_command("load_demo", force=True, stdout=StringIO())
    demo = snapshot_demo(client)
    # Issue #47 and its stories went out on 17 November 2023, not when the demo was loaded.
    assert demo["issue"] == demo["home"] == "2023-11-17T09:00:00+00:00"
    assert demo["feed"].startswith("2023-11-17T09:00:00")
    call_command("load_demo", force=True, reset=True, stdout=StringIO())
    assert snapshot_demo(client) == demo


def snapshot_demo(client):
    sitemap = sitemap_urls(client)
    feed = feedparser.parse(client.get("/feeds/issues/atom/").content)
    return {
        "issue": sitemap[f"{SITE}/issues/47/"],
        "home": sitemap[f"{SITE}/"],
        "stories": sorted(v for k, v in sitemap.items() if "/stories/" in k),
        "feed": feed.feed.updated,
        "jsonld": jsonld(client, "/issues/47/")[0]["dateModified"],
    }


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/issues/",
        "/feeds/issues/atom/",
        "/feeds/companies/alibaba-group/",
        "/feeds/companies/alibaba-group/atom/",
        "/feeds/topics/e-commerce/atom/",
    ],
)
def test_feed_readers_parse_every_feed_with_its_dates(client, newsroom, path):
    _backdate()
    feed = feedparser.parse(client.get(path).content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.entries
    if path.endswith("atom/"):
        assert all(entry.updated_parsed[:3] == (2026, 1, 5) for entry in feed.entries)
        assert feed.feed.updated_parsed[:3] == (2026, 1, 5)
    else:
        assert all(entry.published_parsed[:3] == (2026, 1, 5) for entry in feed.entries)


def test_an_issue_is_a_publication_issue_of_the_periodical(client, newsroom, settings):
    (data,) = jsonld(client, "/issues/7/")
    assert data["@type"] == "PublicationIssue"
    assert data["issueNumber"] == 7
    assert data["name"] == "Issue #7: Singles' Day and the EU"
    assert data["url"] == f"{SITE}/issues/7/"
    assert data["datePublished"] == Issue.objects.get(number=7).published_at.isoformat()
    periodical = data["isPartOf"]
    assert periodical["@type"] == "Periodical"
    assert periodical["name"] == settings.SITE_NAME
    assert periodical["url"] == f"{SITE}/"
    assert [part["@type"] for part in data["hasPart"]] == ["NewsArticle"] * 4


def test_a_story_is_part_of_the_issue_it_ran_in(client, newsroom):
    (data,) = jsonld(client, "/stories/eu-investigates-tiktok/")
    assert data["@type"] == "NewsArticle"
    issue = data["isPartOf"]
    assert issue["@type"] == "PublicationIssue"
    assert issue["issueNumber"] == 7
    assert issue["url"] == f"{SITE}/issues/7/"
    assert issue["isPartOf"]["@type"] == "Periodical"
    assert data["mentions"][0] == {
        "@type": "Service",
        "name": "TikTok",
        "url": f"{SITE}/platforms/tiktok/",
    }


def test_a_story_waiting_for_its_issue_is_part_of_none_yet(client, newsroom):
    (data,) = jsonld(client, "/stories/bytedance-shopping-tab/")
    assert "isPartOf" not in data


def test_a_company_is_an_organization_with_its_names_and_group(client, newsroom):
    (alibaba,) = jsonld(client, "/companies/alibaba-group/")
    assert alibaba["@type"] == "Organization"
    assert alibaba["name"] == "Alibaba Group"
    assert alibaba["url"] == f"{SITE}/companies/alibaba-group/"
    assert alibaba["alternateName"] == ["阿里巴巴集团", "Alibaba", "BABA", "9988.HK"]
    assert alibaba["sameAs"] == ["https://www.alibabagroup.com/"]
    assert alibaba["subOrganization"] == [
        {
            "@type": "Organization",
            "name": "Taobao and Tmall Group",
            "url": f"{SITE}/companies/taobao-tmall/",
        }
    ]
    (group,) = jsonld(client, "/companies/taobao-tmall/")
    assert group["parentOrganization"] == {
        "@type": "Organization",
        "name": "Alibaba Group",
        "url": f"{SITE}/companies/alibaba-group/",
    }
    assert "alternateName" not in group and "sameAs" not in group


def test_a_platform_is_a_service_provided_by_its_company(client, newsroom):
    (data,) = jsonld(client, "/platforms/tiktok/")
    assert data["@type"] == "Service"
    assert data["name"] == "TikTok"
    assert data["alternateName"] == ["抖音国际版"]
    assert data["provider"]["@type"] == "Organization"
    assert data["provider"]["name"] == "ByteDance"
    assert data["provider"]["url"] == f"{SITE}/companies/bytedance/"


def test_a_topic_page_claims_no_type(client, newsroom):
    assert jsonld(client, "/topics/e-commerce/") == []


def test_nothing_in_a_company_breaks_out_of_its_structured_data(client, db):
    nasty = "</script><script>alert(1)</script> & <!-- <script> ]]>"
    company = make_company("Nasty & Co", slug="nasty", description=nasty, aliases=[nasty])
    make_platform("Nasty app", owner=company, slug="nasty-app", aliases=["</SCRIPT x>"])
    for path in ("/companies/nasty/", "/platforms/nasty-app/"):
        assert "<script>alert(1)" not in client.get(path).content.decode()
    # Read as a browser reads it, the block holds the whole text: nothing closed it early.
    (data,) = jsonld(client, "/companies/nasty/")
    assert data["description"] == nasty
    assert data["alternateName"] == [nasty]
    assert jsonld(client, "/platforms/nasty-app/")[0]["alternateName"] == ["</SCRIPT x>"]
