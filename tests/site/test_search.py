"""/search/: weighted full-text search over published stories that also knows company names."""

import re

import pytest
from django.db import connection

from stories.models import Status, Story
from tests.factories import make_company, make_platform, make_story

pytestmark = pytest.mark.django_db


def results(client, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    headlines = re.findall(r'<h3 class="card-headline"><a href="[^"]+">([^<]+)</a>', page)
    matches = re.search(r'<section class="matches".*?</section>', page, re.S)
    return headlines, (matches.group(0) if matches else ""), page


@pytest.mark.parametrize("query", ["阿里巴巴", "阿里巴巴集团", "BABA", "9988.HK", "alibaba"])
def test_chinese_names_aliases_and_tickers_find_the_company_and_its_stories(
    client, newsroom, query
):
    headlines, matches, _ = results(client, query)
    assert 'href="/companies/alibaba-group/"' in matches
    assert "Alibaba and JD.com post Singles&#x27; Day growth" in headlines


def test_pinduoduo_in_chinese_finds_pdd_and_temu(client, newsroom):
    headlines, matches, _ = results(client, "拼多多")
    assert 'href="/companies/pdd-holdings/"' in matches
    assert headlines == ["Pinduoduo&#x27;s Temu keeps growing abroad"]


def test_platform_alias_finds_the_platform(client, newsroom):
    headlines, matches, _ = results(client, "抖音国际版")
    assert 'href="/platforms/tiktok/"' in matches
    assert "EU investigates TikTok over child protection" in headlines


def test_headline_matches_rank_above_body_matches(client, db):
    in_body = make_story(
        "A quiet week", status=Status.PUBLISHED, body="Nothing but a word: zebrafish."
    )
    in_headline = make_story("Zebrafish take over", status=Status.PUBLISHED)
    headlines, _, _ = results(client, "zebrafish")
    assert headlines == [in_headline.headline, in_body.headline]


def test_english_stemming_matches_other_word_forms(client, newsroom):
    headlines, _, _ = results(client, "investigating")
    assert headlines == ["EU investigates TikTok over child protection"]


def test_snippets_highlight_matches_and_escape_everything_else(client, db):
    make_story(
        "Escaping check",
        status=Status.PUBLISHED,
        summary="Harmless <b>bold</b> & <img src=x onerror=alert(1)> flamingo here",
    )
    _, _, page = results(client, "flamingo")
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S).group(1)
    assert "<mark>flamingo</mark>" in snippet
    assert "<img" not in snippet and "<b>" not in snippet
    assert "&lt;" in snippet or "onerror" not in snippet


def test_stored_sentinel_characters_cannot_forge_marks(client, db):
    make_story("Sentinel check", status=Status.PUBLISHED, summary="okapi \ue000<i>x</i>\ue001 end")
    _, _, page = results(client, "okapi")
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S).group(1)
    assert snippet.count("<mark>") == 1 and "<i>" not in snippet


def test_vector_follows_company_tags_and_renames(client, db):
    story = make_story("Quarterly results", status=Status.PUBLISHED)
    company = make_company("Meituan", slug="meituan", name_zh="美团", aliases=["3690.HK"])
    assert results(client, "3690.HK")[0] == []
    story.companies.add(company)
    assert results(client, "3690.HK")[0] == ["Quarterly results"]
    company.aliases = ["MPNGY"]
    company.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM stories_story WHERE id = %s", [story.pk])
        vector = cursor.fetchone()[0]
    assert "'mpngy'" in vector and "'3690.hk'" not in vector
    company.stories.clear()
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM stories_story WHERE id = %s", [story.pk])
        assert "mpngy" not in cursor.fetchone()[0]


def test_vector_follows_platform_tags_from_either_side(client, db):
    owner = make_company("Tencent", slug="tencent")
    wechat = make_platform("WeChat", owner=owner, slug="wechat", aliases=["Weixin"])
    story = make_story("Mini programs grow", status=Status.PUBLISHED)
    wechat.stories.add(story)
    assert Story.objects.filter(search_vector="weixin").exists()


def test_search_shows_only_published_stories(client, newsroom):
    headlines, _, _ = results(client, "Alibaba")
    assert all("Zanzibarleak" not in h for h in headlines)


def test_search_results_are_paginated(client, db):
    for i in range(25):
        make_story(f"Narwhal news {i}", status=Status.PUBLISHED)
    first = client.get("/search/", {"q": "narwhal"}).content.decode()
    assert first.count('<li class="card">') == 20
    assert "page=2" in first and "q=narwhal" in first
    second = client.get("/search/", {"q": "narwhal", "page": "2"}).content.decode()
    assert second.count('<li class="card">') == 5


def test_search_uses_the_gin_index(db):
    from stories.search import build_tsquery

    make_story("Indexed", status=Status.PUBLISHED)
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = Story.objects.filter(
            search_vector=build_tsquery("indexed")
        ).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "story_search_gin" in plan
