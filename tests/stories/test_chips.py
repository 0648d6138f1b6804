"""A story's chips (its block on issue pages, its card on timelines and in search): the
companies it is about first, then platforms, then topics; each tag once; at most six."""

import re

import pytest

from stories.extras import CHIP_LIMIT
from stories.models import Status, Story
from tests.factories import make_company, make_issue, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db


def chips_of(html):
    return re.findall(r'<a class="chip chip-(\w+)" href="[^"]+">([^<]+)</a>', html)


def stored(story):
    return Story.objects.get(pk=story.pk)


def test_a_platform_named_like_a_company_shows_once():
    pdd = make_company("PDD Holdings")
    pinduoduo = make_company("Pinduoduo")
    story = make_story(
        "Pinduoduo cuts fees for merchants",
        companies=[pdd, pinduoduo],
        platforms=[make_platform("Pinduoduo app", owner=pinduoduo), make_platform("Temu")],
    )
    assert chips_of(stored(story).block_html) == [
        ("company", "Pinduoduo"),  # named in the headline: first
        ("company", "PDD Holdings"),
        ("platform", "Temu"),
    ]


def test_companies_come_first_then_platforms_then_topics_most_relevant_first():
    zhipu = make_company("Zhipu AI")
    baidu = make_company("Baidu")
    alibaba = make_company("Alibaba Group")
    for _ in range(2):  # Alibaba is the company the site covers most
        make_story(status=Status.PUBLISHED, companies=[alibaba])
    story = make_story(
        "Zhipu AI raises money as Baidu cuts prices",
        summary="A price war among chatbots.",
        companies=[baidu, alibaba, zhipu],
        platforms=[make_platform("Ernie Bot", owner=baidu)],
        topics=[make_topic("Generative AI"), make_topic("Funding")],
    )
    assert chips_of(stored(story).block_html) == [
        ("company", "Zhipu AI"),  # the headline names it first, although Z comes last
        ("company", "Baidu"),  # named second
        ("company", "Alibaba Group"),  # not named
        ("platform", "Ernie Bot"),
        ("topic", "Funding"),
        ("topic", "Generative AI"),
    ]


def test_at_most_six_chips_and_topics_give_way_first():
    companies = [make_company(f"Company {letter}") for letter in "ABCDE"]
    story = make_story(
        companies=companies,
        platforms=[make_platform("Platform X"), make_platform("Platform Y")],
        topics=[make_topic("Regulation")],
    )
    chips = chips_of(stored(story).block_html)
    assert len(chips) == CHIP_LIMIT == 6
    assert [kind for kind, _ in chips] == ["company"] * 5 + ["platform"]


def test_cards_leave_topics_out_and_the_issue_page_prints_the_block(client):
    company = make_company("ByteDance", slug="bytedance")
    story = make_story(
        "ByteDance opens a lab",
        status=Status.PUBLISHED,
        companies=[company],
        platforms=[make_platform("TikTok", owner=company)],
        topics=[make_topic("Research")],
    )
    make_issue(5, stories=[story], status=Status.PUBLISHED)
    assert chips_of(stored(story).card_html) == [("company", "ByteDance"), ("platform", "TikTok")]
    page = client.get("/issues/5/").content.decode()
    assert chips_of(page) == [
        ("company", "ByteDance"),
        ("platform", "TikTok"),
        ("topic", "Research"),
    ]
    timeline = client.get("/companies/bytedance/").content.decode()
    assert chips_of(timeline.split('<section class="timeline"')[1]) == [
        ("company", "ByteDance"),
        ("platform", "TikTok"),
    ]


def test_among_tags_the_text_does_not_name_the_most_covered_comes_first():
    rare = make_company("Aardvark Labs")
    covered = make_company("Zeta Group")
    for _ in range(2):
        make_story(status=Status.PUBLISHED, companies=[covered])
    story = make_story("A quiet week", summary="Nothing named.", companies=[rare, covered])
    assert chips_of(stored(story).block_html) == [
        ("company", "Zeta Group"),
        ("company", "Aardvark Labs"),
    ]
