"""A draft, an in-review and a scheduled story sit in the published issue, about Alibaba (which has
published stories). None of them may show anywhere a reader or a crawler can look."""

import json
import re

import pytest
from django.core.cache import cache

from tests.site.conftest import HIDDEN, public_urls

pytestmark = pytest.mark.django_db


def _hidden_markers(newsroom):
    markers = [HIDDEN]
    for story in newsroom.hidden.values():
        markers += [story.slug, story.get_absolute_url()]
    return markers


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_hidden_stories_appear_on_no_page_feed_sitemap_or_search(client, newsroom, reader, who):
    if who == "reader":
        client.force_login(reader)
    markers = _hidden_markers(newsroom)
    urls = [*public_urls(newsroom), f"/search/?q={HIDDEN}", "/search/?q=BABA"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        if url.endswith(HIDDEN):
            body = body.replace(HIDDEN, "")  # the page may repeat the reader's own query
        for marker in markers:
            assert marker not in body, f"{marker} leaked on {url}"


def test_search_finds_nothing_for_words_only_hidden_stories_contain(client, newsroom):
    page = client.get(f"/search/?q={HIDDEN}").content.decode()
    assert "0 stories" in page
    assert "No published story matches" in page


def test_search_counts_only_public_stories(client, newsroom):
    page = client.get("/search/?q=Alibaba").content.decode()
    # Singles' Day (headline) only: the hidden three also say Alibaba everywhere.
    assert re.search(r'<h2 id="results-title">(\d+) stor', page).group(1) == "1"


def test_issue_json_ld_lists_only_public_stories(client, newsroom):
    page = client.get("/issues/7/").content.decode()
    jsonld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert len(json.loads(jsonld)["hasPart"]) == 4
    assert HIDDEN not in jsonld


def test_hidden_story_urls_answer_the_same_404_as_a_slug_that_never_existed(client, newsroom):
    never = client.get("/stories/never-existed-at-all/")
    assert never.status_code == 404
    for story in newsroom.hidden.values():
        cache.clear()
        response = client.get(story.get_absolute_url())
        assert response.status_code == 404
        assert response.content == never.content
        assert HIDDEN not in response.content.decode()


def test_unpublished_issue_answers_the_same_404_as_a_missing_one(client, newsroom):
    never = client.get("/issues/999/")
    draft = client.get(f"/issues/{newsroom.draft_issue.number}/")
    assert never.status_code == draft.status_code == 404
    assert never.content == draft.content


def test_scheduled_issue_is_not_the_home_page_yet(client, newsroom):
    from datetime import timedelta

    from django.utils import timezone

    from stories.models import Status
    from tests.factories import make_issue

    make_issue(
        9,
        title=f"{HIDDEN} scheduled issue",
        status=Status.PUBLISHED,
        published_at=timezone.now() + timedelta(hours=3),
    )
    home = client.get("/").content.decode()
    assert "Issue #7" in home and HIDDEN not in home
    assert client.get("/issues/9/").status_code == 404


def test_feed_of_a_company_with_only_hidden_stories_is_empty(client, newsroom):
    from tests.factories import make_company, make_story

    quiet = make_company("Quiet Co", slug="quiet-co")
    make_story(f"{HIDDEN} quiet draft", companies=[quiet])
    body = client.get("/feeds/companies/quiet-co/").content.decode()
    assert "<item>" not in body and HIDDEN not in body
    page = client.get("/companies/").content.decode()
    assert ">Quiet Co</a>" not in page  # the index lists companies with published stories
