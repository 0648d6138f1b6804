"""Every public page runs the same small number of queries whatever it lists.

Each page kind is rendered at a small and a large size with the same expected count. The page
cache is told to store nothing, and one warm-up request fills the process-wide caches (the
schedule look-up, the Site row for feeds) so that only the page's own queries are counted.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from digest_site.sitemaps import SITEMAPS
from issues.models import Issue
from stories.models import Status
from tests.factories import (
    make_author,
    make_company,
    make_issue,
    make_platform,
    make_story,
    make_topic,
)

pytestmark = pytest.mark.django_db

SIZES = [3, 60]


@pytest.fixture(autouse=True)
def _no_page_storage(settings):
    settings.DIGEST_PAGE_CACHE_SECONDS = 0


def build(n):
    company = make_company("Parent Co", slug="parent-co")
    subsidiary = make_company("Child Co", slug="child-co", parent=company)
    for i in range(n):
        make_company(f"Extra {i}", slug=f"extra-{i}")
    platform = make_platform("App", owner=subsidiary, slug="app")
    topic = make_topic("Topic", slug="topic")
    # Every story is signed by the same writer and one of its own (n authors in the index).
    shared = make_author("Shared Writer", slug="shared-writer")
    stories = [
        make_story(
            f"Searchable story {i}",
            status=Status.PUBLISHED,
            companies=[company, subsidiary],
            platforms=[platform],
            topics=[topic],
            sources=2,
            authors=[shared, make_author(f"Writer {i}", slug=f"writer-{i}")],
        )
        for i in range(n)
    ]
    issue = make_issue(1000, stories=stories, status=Status.PUBLISHED)
    for number in range(1, n + 1):
        make_issue(number, status=Status.PUBLISHED, published_at=timezone.now() - timedelta(days=9))
    return SimpleNamespace(stories=stories, issue=issue)


def _count(client, django_assert_num_queries, url, expected):
    assert client.get(url).status_code == 200  # warm-up
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("n", SIZES)
def test_issue_pages_cost_one_query(client, django_assert_num_queries, n):
    build(n)
    # the issue, with its stories stored as readers see them (issues.fragments)
    _count(client, django_assert_num_queries, "/issues/1000/", 1)


@pytest.mark.parametrize("n", SIZES)
def test_issue_pages_past_a_scheduled_story_cost_three_queries(
    client, django_assert_num_queries, n
):
    world = build(n)
    Issue.objects.filter(pk=world.issue.pk).update(stories_until=timezone.now())
    # the issue, its text, then its published stories with their stored blocks
    _count(client, django_assert_num_queries, "/issues/1000/", 3)


@pytest.mark.parametrize("n", SIZES)
def test_home_costs_one_query(client, django_assert_num_queries, n):
    build(n)
    # the latest issue, with its stored stories
    _count(client, django_assert_num_queries, "/", 1)


@pytest.mark.parametrize("n", SIZES)
def test_archive_costs_two_queries(client, django_assert_num_queries, n):
    build(n)
    # count, page of issues (with their public story counts)
    _count(client, django_assert_num_queries, "/issues/", 2)


@pytest.mark.parametrize("n", SIZES)
def test_story_page_costs_six_queries(client, django_assert_num_queries, n):
    world = build(n)
    # story, tags, sources, authors, its issue (with the stories it shows), related
    _count(client, django_assert_num_queries, world.stories[1].get_absolute_url(), 6)


@pytest.mark.parametrize("n", SIZES)
def test_story_page_past_a_scheduled_story_costs_seven_queries(
    client, django_assert_num_queries, n
):
    world = build(n)
    Issue.objects.filter(pk=world.issue.pk).update(stories_until=timezone.now())
    # story, tags, sources, authors, its issue, the issue's published stories, related
    _count(client, django_assert_num_queries, world.stories[1].get_absolute_url(), 7)


@pytest.mark.parametrize("n", SIZES)
def test_author_index_costs_one_query(client, django_assert_num_queries, n):
    build(n)
    # authors with their published story counts
    _count(client, django_assert_num_queries, "/authors/", 1)


@pytest.mark.parametrize("n", SIZES)
def test_author_page_costs_four_queries(client, django_assert_num_queries, n):
    build(n)
    # author, their links, page of their stories (and whether one follows), tags
    _count(client, django_assert_num_queries, "/authors/shared-writer/", 4)
    _count(client, django_assert_num_queries, "/authors/writer-1/", 4)


@pytest.mark.parametrize("n", SIZES)
def test_company_index_costs_two_queries(client, django_assert_num_queries, n):
    build(n)
    # companies with their stored counts, the scheduled stories to subtract
    _count(client, django_assert_num_queries, "/companies/", 2)


@pytest.mark.parametrize("n", SIZES)
def test_platform_and_topic_indexes_cost_two_queries(client, django_assert_num_queries, n):
    build(n)
    owner = make_company("Owner", slug="owner")
    for i in range(n):
        make_story(
            status=Status.PUBLISHED,
            platforms=[make_platform(f"Platform {i}", owner=owner, slug=f"platform-{i}")],
            topics=[make_topic(f"Topic {i}", slug=f"topic-{i}")],
            sources=0,
        )
    # rows with their stored counts (platforms with their owners), the scheduled stories
    _count(client, django_assert_num_queries, "/platforms/", 2)
    _count(client, django_assert_num_queries, "/topics/", 2)
    assert client.get("/platforms/").content.decode().count('class="count"') == n + 1


@pytest.mark.parametrize("n", SIZES)
def test_company_timeline_costs_six_queries(client, django_assert_num_queries, n):
    build(n)
    # company, family tree, family platforms, chart, page (and whether one follows), tags
    _count(client, django_assert_num_queries, "/companies/parent-co/", 6)
    _count(client, django_assert_num_queries, "/companies/parent-co/?direct=1", 6)


@pytest.mark.parametrize("n", SIZES)
def test_platform_and_topic_timelines_cost_four_queries(client, django_assert_num_queries, n):
    build(n)
    # platform (+owner) / topic, chart, page (and whether one follows), tags
    _count(client, django_assert_num_queries, "/platforms/app/", 4)
    _count(client, django_assert_num_queries, "/topics/topic/", 4)


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("common", [True, False], ids=["common-word", "rare-word"])
def test_search_costs_five_queries(client, django_assert_num_queries, monkeypatch, n, common):
    build(n)
    # Either way of finding the newest matches (walking them, or through the GIN index).
    monkeypatch.setattr("stories.search.COMMON_MATCHES", -1 if common else 10**9)
    # matching companies, matching platforms, the planner's estimate, the ranked page with
    # its count, tags (or, when nothing matches at all, the closest name: "did you mean")
    _count(client, django_assert_num_queries, "/search/?q=searchable", 5)
    _count(client, django_assert_num_queries, "/search/?q=Parent", 5)
    _count(client, django_assert_num_queries, "/search/?q=serchabel", 5)
    if n > 20:
        _count(client, django_assert_num_queries, "/search/?q=searchable&page=2", 5)


@pytest.mark.parametrize("n", SIZES)
def test_feeds_cost_a_fixed_number_of_queries(client, django_assert_num_queries, n):
    build(n)
    # issues, entries (+ their stories), their stories' authors
    _count(client, django_assert_num_queries, "/feeds/issues/", 3)
    # company, family tree, family platforms, stories, tags, authors
    _count(client, django_assert_num_queries, "/feeds/companies/parent-co/atom/", 6)
    # topic, stories, tags, authors
    _count(client, django_assert_num_queries, "/feeds/topics/topic/", 4)


@pytest.mark.parametrize("n", SIZES)
def test_sitemap_costs_one_query_per_section(client, django_assert_num_queries, n):
    build(n)
    # the index: the size of each section (issues, stories, platforms, topics; companies with
    # their dates and their platforms' to roll families up; the site's own pages count none)
    _count(client, django_assert_num_queries, "/sitemap.xml", 6)
    # a section's page: its size, its items (the same two for companies); the site's own
    # pages: the latest issue's date, the newest issue's, the newest story's
    for section in SITEMAPS:
        _count(
            client,
            django_assert_num_queries,
            f"/sitemap-{section}.xml",
            3 if section == "pages" else 2,
        )


@pytest.mark.parametrize("n", SIZES)
def test_cached_page_costs_no_query(client, django_assert_num_queries, settings, n):
    settings.DIGEST_PAGE_CACHE_SECONDS = 300
    build(n)
    client.get("/issues/1000/")
    with django_assert_num_queries(0):
        response = client.get("/issues/1000/")
    assert response["X-Page-Cache"] == "hit"
    # Answered by the page cache's middleware, before sessions and authentication.
    assert not hasattr(response.wsgi_request, "session")
