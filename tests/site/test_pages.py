"""What a reader sees on each public page."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from stories.models import Status
from tests.factories import make_company, make_issue, make_story
from tests.site.conftest import public_urls

pytestmark = pytest.mark.django_db


def html(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_every_html_page_has_exactly_one_h1_and_landmarks(client, newsroom):
    for url in public_urls(newsroom):
        response = client.get(url)
        assert response.status_code == 200, url
        if not response["Content-Type"].startswith("text/html"):
            continue
        page = response.content.decode()
        assert len(re.findall(r"<h1[ >]", page)) == 1, url
        assert '<main id="main"' in page, url
        assert 'href="#main"' in page, url
        assert "<nav" in page and "<header" in page and "<footer" in page, url


def test_home_shows_the_latest_published_issue_in_full(client, newsroom):
    page = html(client.get("/"))
    assert "Issue #7" in page
    assert "Singles&#x27; Day and the EU" in page
    assert "<strong>welcome</strong>" in page  # intro rendered from Markdown
    assert "<em>this</em>" in page  # wrap-up
    assert "Gross merchandise value <strong>grew</strong>" in page  # story body
    assert newsroom.singles.sources.first().url in page
    assert 'href="/companies/alibaba-group/"' in page  # chips
    assert 'href="/topics/e-commerce/"' in page
    assert 'href="/platforms/tiktok/"' in page


def test_home_says_so_when_nothing_is_published_yet(client, db):
    make_issue(1, stories=[make_story()])  # a draft issue
    page = html(client.get("/"))
    assert "No issue yet" in page


def test_issue_numbers_its_public_stories_one_to_n_without_gaps(client, newsroom):
    page = html(client.get("/issues/7/"))
    headlines = re.findall(
        r'<span class="story-number" aria-hidden="true">(\d+)</span> <a href="([^"]+)"', page
    )
    assert headlines == [
        ("1", "/stories/singles-day-growth/"),
        ("2", "/stories/eu-investigates-tiktok/"),
        ("3", "/stories/taobao-ai-assistant/"),
        ("4", "/stories/tmall-global-warehouse/"),
    ]


def test_archive_groups_issues_by_year_with_story_counts(client, newsroom):
    page = html(client.get("/issues/"))
    assert re.search(r'<h2 id="year-\d{4}">', page)
    assert "#7</span> Singles&#x27; Day and the EU" in page
    assert "#6</span> Temu abroad" in page
    assert "4 stories" in page  # issue 7 counts only its public stories
    assert "1 story" in page
    assert "#8" not in page  # the draft issue


def test_archive_is_paginated(client, db):
    for number in range(1, 53):
        make_issue(number, status=Status.PUBLISHED)
    first = html(client.get("/issues/"))
    assert "Page 1 of 2" in first and "#52</span>" in first and "#2</span>" not in first
    second = html(client.get("/issues/?page=2"))
    assert "#2</span>" in second and "#1</span>" in second


def test_story_says_where_it_ran_with_previous_and_next(client, newsroom):
    page = html(client.get("/stories/eu-investigates-tiktok/"))
    assert "Ran in Issue #7, story 2" in page
    assert 'href="/issues/7/#story-2"' in page
    assert re.search(r'rel="prev" href="/stories/singles-day-growth/"', page)
    assert re.search(r'rel="next" href="/stories/taobao-ai-assistant/"', page)
    assert "https://example.com/" in page  # its source
    assert 'href="/platforms/tiktok/"' in page and 'href="/topics/regulation/"' in page


def test_first_story_of_an_issue_has_no_previous(client, newsroom):
    page = html(client.get("/stories/singles-day-growth/"))
    assert "Ran in Issue #7, story 1" in page
    assert 'rel="prev"' not in page
    assert 'rel="next" href="/stories/eu-investigates-tiktok/"' in page


def test_story_in_an_unpublished_issue_does_not_name_that_issue(client, newsroom):
    page = html(client.get("/stories/bytedance-shopping-tab/"))
    assert "Ran in" not in page
    assert "#8" not in page


def test_story_lists_related_stories_sharing_its_companies(client, newsroom):
    later = make_story(
        "Alibaba cloud price cut",
        status=Status.PUBLISHED,
        companies=[newsroom.alibaba],
    )
    page = html(client.get("/stories/singles-day-growth/"))
    assert "More about Alibaba Group" in page
    assert later.get_absolute_url() in page


def test_story_body_markdown_is_sanitized(client, db):
    story = make_story(
        "Markdown test",
        status=Status.PUBLISHED,
        body="Hi <script>alert(1)</script> [x](javascript:alert(2)) [ok](https://ok.example/)",
    )
    page = html(client.get(story.get_absolute_url()))
    assert "<script>alert(1)" not in page
    assert 'href="javascript:' not in page
    assert 'href="https://ok.example/"' in page


def test_company_timeline_rolls_up_platforms_and_subsidiaries_with_reasons(client, newsroom):
    page = html(client.get("/companies/alibaba-group/"))
    assert "阿里巴巴集团" in page
    assert "https://www.alibabagroup.com/" in page
    assert 'href="/companies/taobao-tmall/">Taobao and Tmall Group</a>' in page  # subsidiary
    cards = re.findall(r'<li class="card">(.*?)</li>\s*(?=<li class="card">|</ol>)', page, re.S)
    by_headline = {re.search(r'">([^<]+)</a></h4>', card).group(1): card for card in cards}
    assert set(by_headline) == {
        "Alibaba and JD.com post Singles&#x27; Day growth",
        "Taobao adds an AI shopping assistant",
        "Tmall Global opens a European warehouse",
    }
    assert "via" not in by_headline["Alibaba and JD.com post Singles&#x27; Day growth"]
    assert "via Taobao</span>" in by_headline["Taobao adds an AI shopping assistant"]
    assert "via Tmall Global Ltd</span>" in by_headline["Tmall Global opens a European warehouse"]
    # Grouped by month of the event, newest first.
    assert page.index("November 2026</h3>") < page.index("October 2026</h3>")


def test_company_timeline_switch_shows_only_direct_coverage(client, newsroom):
    page = html(client.get("/companies/alibaba-group/?direct=1"))
    assert "Singles&#x27; Day growth" in page
    assert "Taobao adds an AI shopping assistant" not in page
    assert "Tmall Global opens" not in page
    assert "Include its platforms and subsidiaries" in page


def test_subsidiary_page_names_its_parent(client, newsroom):
    page = html(client.get("/companies/taobao-tmall/"))
    assert 'Part of</dt><dd><a href="/companies/alibaba-group/">Alibaba Group</a>' in page
    assert 'href="/platforms/taobao/">Taobao</a>' in page


def test_coverage_chart_is_inline_svg_with_a_text_equivalent(client, newsroom):
    page = html(client.get("/companies/alibaba-group/"))
    assert '<svg class="chart" role="img"' in page
    # The family's coverage: October (Tmall Global) and November 2026 (Singles' Day, Taobao).
    assert page.count('<rect class="chart-bar"') == 2
    assert "<figcaption>3 stories from October 2026 to November 2026.</figcaption>" in page
    assert "<desc" in page and "Stories per month as a table" in page
    assert "Stories per month as a table" in page


def test_timeline_is_paginated(client, newsroom):
    for _ in range(31):
        make_story(status=Status.PUBLISHED, companies=[newsroom.pdd])
    first = html(client.get("/companies/pdd-holdings/"))
    # Not "of N": counting a company's stories would read its whole history.
    assert "<span>Page 1</span>" in first and 'rel="next" href="?page=2"' in first
    assert 'rel="prev"' not in first
    assert first.count('<li class="card">') == 30
    second = html(client.get("/companies/pdd-holdings/?page=2"))
    assert second.count('<li class="card">') == 2
    assert 'rel="prev" href="?page=1"' in second and 'rel="next"' not in second
    assert client.get("/companies/pdd-holdings/?page=3").status_code == 404
    # Exactly one page full: no next page to offer.
    exact = make_company("Exact Co", slug="exact-co")
    for _ in range(30):
        make_story(status=Status.PUBLISHED, companies=[exact], sources=0)
    full = html(client.get("/companies/exact-co/"))
    assert full.count('<li class="card">') == 30 and 'class="pagination"' not in full
    assert client.get("/companies/exact-co/?page=2").status_code == 404


def test_platform_and_topic_pages_use_the_timeline(client, newsroom):
    platform = html(client.get("/platforms/tiktok/"))
    assert 'Run by</dt><dd><a href="/companies/bytedance/">ByteDance</a>' in platform
    assert "EU investigates TikTok" in platform
    topic = html(client.get("/topics/e-commerce/"))
    assert "Singles&#x27; Day growth" in topic and "Temu keeps growing" in topic
    assert "EU investigates" not in topic


def test_company_index_groups_subsidiaries_under_their_parent_with_published_counts(
    client, newsroom
):
    page = html(client.get("/companies/"))
    # Groups A to Z; Alibaba's subsidiaries (at any depth) right under it, before ByteDance.
    assert (
        page.index(">Alibaba Group</a>")
        < page.index(">Taobao and Tmall Group</a>")
        < page.index(">Tmall Global Ltd</a>")
        < page.index(">ByteDance</a>")
        < page.index(">PDD Holdings</a>")
    )
    members = re.search(r'<ul class="index-members"[^>]*>(.*?)</ul>', page, re.S).group(1)
    assert ">Taobao and Tmall Group</a>" in members and ">Tmall Global Ltd</a>" in members
    assert 'class="depth-2"' in members  # Tmall Global sits under Taobao and Tmall Group
    row = re.search(r'>Alibaba Group</a>.*?<span class="count">([^<]+)</span>', page, re.S)
    assert row.group(1) == "1 story"  # the hidden stories about Alibaba are not counted
    row = re.search(r'>ByteDance</a>.*?<span class="count">([^<]+)</span>', page, re.S)
    assert row.group(1) == "2 stories"


def test_company_index_leaves_out_companies_without_published_stories(client, newsroom):
    make_company("Quiet Holdings", slug="quiet-holdings")
    only_hidden = make_company("Only Drafts Co", slug="only-drafts")
    make_story(companies=[only_hidden])  # a draft
    page = html(client.get("/companies/"))
    assert "Quiet Holdings" not in page and "Only Drafts Co" not in page
    # A company listed for its subsidiary's coverage alone shows its own zero.
    row = re.search(r'>Taobao and Tmall Group</a>.*?<span class="count">([^<]+)</span>', page, re.S)
    assert row.group(1) == "0 stories"


def test_coverage_chart_spans_the_months_from_the_first_story_to_the_last():
    from datetime import date

    from stories.models import Story
    from stories.timeline import coverage

    make_story(status=Status.PUBLISHED, event_date=date(2026, 3, 20))
    make_story(status=Status.PUBLISHED, event_date=date(2026, 7, 5))
    make_story(status=Status.PUBLISHED, event_date=date(2026, 7, 20))
    make_story(event_date=date(2026, 10, 1))  # a draft: not coverage
    chart = coverage(Story.objects.published())
    assert (chart["first"], chart["last"]) == (date(2026, 3, 1), date(2026, 7, 1))
    assert [(bar["month"].month, bar["count"]) for bar in chart["bars"]] == [
        (3, 1),
        (4, 0),
        (5, 0),
        (6, 0),
        (7, 2),
    ]
    assert chart["total"] == 3 and chart["peak"] == 2
    # Five months drawn on six slots, right-aligned: bars stay bars, the newest at the end.
    assert chart["bars"][0]["x"] == chart["start_x"] == 16
    assert chart["bars"][-1]["x"] + chart["bars"][-1]["width"] == chart["width"]


def test_coverage_chart_of_a_long_history_shows_its_newest_24_months():
    from datetime import date

    from stories.models import Story
    from stories.timeline import coverage

    make_story(status=Status.PUBLISHED, event_date=date(2023, 11, 12))
    make_story(status=Status.PUBLISHED, event_date=date(2021, 12, 15))  # 23 months earlier
    make_story(status=Status.PUBLISHED, event_date=date(2021, 11, 30))  # outside the window
    make_story(status=Status.PUBLISHED, event_date=date(2020, 1, 2))  # outside the window
    chart = coverage(Story.objects.published())
    assert (chart["first"], chart["last"]) == (date(2021, 12, 1), date(2023, 11, 1))
    assert len(chart["bars"]) == 24 and chart["total"] == 2


def test_coverage_chart_of_one_month_says_so(client):
    from datetime import date

    company = make_company("One Month Co", slug="one-month")
    for day in (3, 9):
        make_story(status=Status.PUBLISHED, companies=[company], event_date=date(2026, 5, day))
    page = html(client.get("/companies/one-month/"))
    assert "<figcaption>2 stories in May 2026.</figcaption>" in page


def test_no_chart_where_there_is_no_published_story(client, newsroom):
    quiet = make_company("Quiet Co", slug="quiet-co")
    make_story(companies=[quiet], event_date=timezone.localdate())  # a draft
    page = html(client.get("/companies/quiet-co/"))
    assert "Coverage by month" not in page and "<svg" not in page
    assert "No stories yet." in page
    # Alibaba's hidden stories (draft, in review, scheduled) make no chart of their own.
    page = html(client.get("/platforms/taobao/"))
    assert "<figcaption>1 story in November 2026.</figcaption>" in page
    # The newsroom's companies with stories keep theirs.
    assert "Coverage by month" in html(client.get("/companies/bytedance/"))


def test_coverage_chart_reads_only_the_months_it_can_show(client):
    """Ten years of monthly coverage: the chart's query returns at most the 24 months that can
    fall in its window, however long the company's history."""
    company = make_company("Old Hand", slug="old-hand")
    today = timezone.localdate()
    for months_ago in range(120):
        make_story(
            status=Status.PUBLISHED,
            companies=[company],
            event_date=today - timedelta(days=30 * months_ago),
            sources=0,
        )
    rows = []

    def spy(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if "date_trunc" in sql.lower() and "group by" in sql.lower():
            rows.append(context["cursor"].rowcount)
        return result

    with connection.execute_wrapper(spy):
        page = html(client.get("/companies/old-hand/"))
    assert len(rows) == 1 and rows[0] <= 24
    total = re.search(r"<figcaption>(\d+) stories from", page).group(1)
    assert 23 <= int(total) <= 25  # one a month, over 24 months
