"""Reading digest posts (issues.importing): the seed and posts in other layouts become the
right numbered stories, and what cannot be read is refused with a message, creating nothing."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import override_settings
from django.utils import timezone

from editorial.models import Revision, Transition
from issues.importing import (
    ImportRefused,
    create_from_plan,
    import_post,
    plan_import,
    publisher_for,
    read_post,
)
from issues.models import Issue
from stories.markdown import render_markdown
from stories.models import Status, Story
from tests.factories import make_company, make_issue, make_platform, make_story

POSTS = Path(__file__).resolve().parents[1] / "data" / "posts"
# The team's own post, as the product brief gives it (shared/seed/sample-weekly-digest.txt).
SEED = POSTS / "seed-sample-weekly-digest.txt"


def post(name):
    return read_post((POSTS / name).read_bytes(), name)


def headlines(parsed):
    return [story.headline for story in parsed.stories]


# -- reading each layout ------------------------------------------------------------------------


def test_the_seed_post_reads_as_eight_stories_with_intro_and_wrapup():
    parsed = read_post(SEED.read_bytes())
    assert parsed.title == "China Digital Digest Weekly: Exploring the Chinese Digital Landscape"
    assert [story.number for story in parsed.stories] == list(range(1, 9))
    assert parsed.stories[0].headline == (
        "EU investigates TikTok, YouTube Over Child And Consumer Protection"
    )
    assert parsed.stories[7].headline.startswith("TikTok Launches Integration")
    assert parsed.intro.startswith("Hi folks, we are back")
    assert parsed.stories[0].summary.startswith("The EU has announced investigations")
    assert parsed.stories[0].body.startswith("The European Commission said")
    # A story of one paragraph has that paragraph as its summary.
    assert parsed.stories[6].summary.startswith("TikTok has announced LIVE Fest")
    assert parsed.stories[6].body == ""
    assert parsed.wrapup_heading == "Wrapping Up"
    assert parsed.wrapup.startswith("The vast and diverse nature")
    assert parsed.wrapup.endswith("click here.")
    # The site builder's furniture is not part of any text.
    everything = " ".join(
        [parsed.intro, parsed.wrapup, *(s.summary + s.body for s in parsed.stories)]
    )
    assert "top of page" not in everything
    assert "bottom of page" not in everything
    assert "Writer" not in everything


def test_markdown_headings_keep_links_as_sources_and_the_date_of_the_post():
    parsed = post("markdown-headings.md")
    assert parsed.title == "Platform Week 12: Short Video Rules and Shopping Festivals"
    assert headlines(parsed) == [
        "Regulators Question TikTok Over Teen Safety",
        "JD.com Says Festival Orders Hit a Record",
        "Baidu Opens Its Chatbot to Everyone",
    ]
    assert parsed.published_on == date(2023, 11, 21)
    assert "November 21" not in parsed.intro
    first, second, _ = parsed.stories
    # The "Source:" line is a source, not text; the link met twice is one source.
    assert [(s.publisher, s.url) for s in first.links] == [
        ("Reuters", "https://www.reuters.com/technology/tiktok-questions-2023-11-20/")
    ]
    assert "Source:" not in first.body
    # "Read more" names nobody: the publisher comes from the address.
    assert [(s.publisher, s.url) for s in second.links] == [
        ("South China Morning Post", "https://www.scmp.com/tech/article/jd-festival"),
        ("example.org", "https://example.org/jd-notes"),
    ]
    assert parsed.wrapup_heading == "Wrapping up"
    # The closing "full report" link stays in the wrap-up's Markdown.
    assert "[click here](https://example.org/report-week-12)" in parsed.wrapup


def test_bold_numbers_and_a_rule_before_the_wrapup():
    parsed = post("markdown-bold-numbers.md")
    assert parsed.title == "Weekly China Tech Notes — Edition 5"
    assert headlines(parsed) == [
        "Pinduoduo Expands Temu Into More Markets",
        "Meituan Tests Drone Deliveries in Shenzhen",
        "Kuaishou Reports Growth in Live Commerce",
    ]
    assert parsed.published_on == date(2023, 10, 3)
    assert [(s.publisher, s.url) for s in parsed.stories[0].links] == [
        ("TechNode", "https://technode.com/2023/10/02/temu-markets/")
    ]
    assert [s.publisher for s in parsed.stories[1].links] == ["meituan.com"]
    assert parsed.wrapup == "That's all for this week. See you next Tuesday."
    assert "See you" not in parsed.stories[2].summary + parsed.stories[2].body


def test_a_site_builder_export_with_styles_spans_and_nbsp():
    parsed = post("sitebuilder-export.html")
    assert parsed.format == "html"
    assert parsed.title == "Digital Digest #31: AI Assistants Everywhere"
    assert headlines(parsed) == [
        "Alibaba Puts an Assistant in Taobao",
        "Meituan Launches a Chatbot Called Wow",
        "Regulators Publish Draft Rules for Generative AI",
    ]
    assert parsed.published_on == date(2023, 11, 14)
    assert parsed.intro == "Hi folks, we are back. This week: assistants, shopping and *rules*."
    taobao, wow, rules = parsed.stories
    assert [(s.publisher, s.url) for s in taobao.links] == [
        ("South China Morning Post", "https://www.scmp.com/tech/big-tech/article/taobao-assistant")
    ]
    # A "click here" link is a source named after its site.
    assert [(s.publisher, s.url) for s in wow.links] == [
        ("meituan.com", "https://www.meituan.com/news/wow")
    ]
    assert "- Comments close in a month." in rules.body
    assert parsed.wrapup_heading == "Wrapping Up"
    assert "[click here](https://example.org/full-report-31)" in parsed.wrapup
    assert "All rights reserved" not in parsed.wrapup  # the site's footer


def test_nothing_executable_survives_an_html_export():
    parsed = post("sitebuilder-export.html")
    stored = "\n".join(
        [parsed.intro, parsed.wrapup, *(s.summary + "\n" + s.body for s in parsed.stories)]
    )
    for needle in ("onclick", "onerror", "style=", "javascript:", "window.tracker", ".x{"):
        assert needle not in stored
    # The link to javascript: keeps its words only.
    assert "a bad link should keep its words only." in parsed.stories[1].body
    # Text that spelled out a tag stays text, never markup, once rendered.
    html = render_markdown(parsed.stories[2].body + "\n\n" + parsed.stories[1].body)
    assert "<script" not in html
    assert "<img" not in html


def test_wordpress_headings_in_three_numbering_styles():
    parsed = post("wordpress-headings.html")
    assert parsed.title == "This Week in Platforms, No. 8"
    assert headlines(parsed) == [
        "Douyin Limits Livestream Tipping",
        "YouTube Adds Shopping Features in Asia",
        "WeChat Pay Opens to Foreign Cards",
    ]
    assert parsed.published_on == date(2023, 9, 5)
    assert [s.publisher for s in parsed.stories[0].links] == ["BBC"]
    assert [s.publisher for s in parsed.stories[2].links] == ["Reuters", "TechNode"]
    assert "Sources" not in parsed.stories[2].body


def test_a_post_in_chinese():
    parsed = post("chinese.md")
    assert parsed.title == "中国数字周报 第 3 期"
    assert headlines(parsed)[:2] == ["阿里巴巴发布新的人工智能助手", "抖音加强未成年人保护"]
    assert parsed.wrapup == "感谢阅读，下周见。"
    assert parsed.stories[0].links[0].url.startswith("https://tech.sina.com.cn/")


def test_a_numbered_list_inside_a_story_is_not_a_story():
    text = (
        "# List Week\n\n## 1. First story\n\nThe news.\n\nThree reasons:\n1. one thing\n2. another thing\n\n"
        "## 2. Second story\n\nText two.\n"
    )
    parsed = read_post(text.encode())
    assert headlines(parsed) == ["First story", "Second story"]
    assert "2. another thing" in parsed.stories[0].body


@pytest.mark.parametrize(
    ("line", "headline"),
    [
        ("## 1. Headline here", "Headline here"),
        ("1) Headline here", "Headline here"),
        ("**1.** Headline here", "Headline here"),
        ("**1. Headline here**", "Headline here"),
        ("#1 Headline here", "Headline here"),
        ("### #1: Headline here", "Headline here"),
        ("1.\u00a0Headline\u00a0here", "Headline here"),
    ],
)
def test_numbered_heading_styles(line, headline):
    parsed = read_post(f"# Title\n\n{line}\n\nSome text.\n".encode())
    assert headlines(parsed) == [headline]


def test_publishers_come_from_the_words_only_when_they_name_someone():
    assert publisher_for("https://www.reuters.com/x", "Reuters", standalone=True) == "Reuters"
    assert publisher_for("https://www.reuters.com/x", "click here", standalone=True) == "Reuters"
    assert publisher_for("https://news.example.net/x", "announced", standalone=False) == (
        "news.example.net"
    )


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad-no-stories.md", "No numbered stories found"),
        ("bad-gap.md", "after story 2 comes story 4 where 3 was expected"),
        ("bad-duplicate.md", "Story number 2 appears twice"),
        ("bad-empty-story.md", "Story 2 (“A headline with nothing under it”) has no text"),
        ("bad-latin1.txt", "not UTF-8"),
    ],
)
def test_posts_that_cannot_be_read_are_refused_with_a_reason(name, message):
    with pytest.raises(ImportRefused, match=re.escape(message)):
        post(name)


def test_binary_and_empty_files_are_refused():
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
    with pytest.raises(ImportRefused, match="binary"):
        read_post(png)
    with pytest.raises(ImportRefused, match="empty"):
        read_post(b"  \n")


@override_settings(DIGEST_UPLOAD_MAX_BYTES=1000)
def test_a_file_over_the_upload_limit_is_refused():
    with pytest.raises(ImportRefused, match="may be at most 1,000 bytes"):
        read_post(b"# T\n\n## 1. A\n\n" + b"x" * 1000)


# -- creating drafts ----------------------------------------------------------------------------


@pytest.fixture
def erin(editor):
    return editor


@pytest.mark.django_db
def test_importing_creates_a_draft_issue_with_its_stories_in_order(erin):
    tiktok = make_platform(
        "TikTok", slug="tiktok", owner=make_company("ByteDance", slug="bytedance")
    )
    make_issue(number=41, title="Earlier")
    issue = import_post((POSTS / "markdown-headings.md").read_bytes(), by=erin, name="week12.md")
    assert issue.number == 42
    assert issue.status == Status.DRAFT
    assert issue.title == "Platform Week 12: Short Video Rules and Shopping Festivals"
    assert issue.intro.startswith("Welcome back.")
    assert issue.wrapup.startswith("That is the week.")
    entries = list(issue.entries.select_related("story").order_by("position"))
    assert [(e.position, e.story.headline) for e in entries] == [
        (1, "Regulators Question TikTok Over Teen Safety"),
        (2, "JD.com Says Festival Orders Hit a Record"),
        (3, "Baidu Opens Its Chatbot to Everyone"),
    ]
    first = entries[0].story
    assert first.status == Status.DRAFT and first.published_at is None
    assert first.author == erin
    assert first.slug == "regulators-question-tiktok-over-teen-safety"
    assert first.event_date == date(2023, 11, 21)
    assert list(first.sources.values_list("publisher", "url", "position")) == [
        ("Reuters", "https://www.reuters.com/technology/tiktok-questions-2023-11-20/", 0)
    ]
    assert list(first.platforms.all()) == [tiktok]
    assert "<a href=" in first.body_html  # rendered on save, like an admin save
    # Nothing is public.
    assert not Story.objects.published().exists()
    assert not Issue.objects.published().filter(pk=issue.pk).exists()


@pytest.mark.django_db
def test_imported_drafts_have_a_first_revision_and_a_log_entry_by_the_importer(erin):
    issue = import_post((POSTS / "markdown-bold-numbers.md").read_bytes(), by=erin, name="n5.md")
    story = issue.entries.get(position=2).story
    for obj in (issue, story):
        revision = Revision.objects.of(obj).get()
        assert revision.number == 1
        assert revision.created_by == erin
        assert revision.note == "Imported from n5.md"
        assert obj.__class__.objects.get(pk=obj.pk).latest_revision_id == revision.pk
        step = Transition.objects.of(obj).get()
        assert (step.action, step.by, step.to_status) == ("import", erin, Status.DRAFT)
    content = Revision.objects.of(issue).get().content
    assert [row["position"] for row in content["children"]["entries"]] == [1, 2, 3]
    assert Revision.objects.of(story).get().content["children"]["sources"][0]["url"] == (
        "https://www.meituan.com/news/drones"
    )


@pytest.mark.django_db
def test_a_story_with_no_date_in_the_post_is_dated_today(erin):
    issue = import_post(SEED.read_bytes(), by=erin)
    assert {e.story.event_date for e in issue.entries.select_related("story")} == {
        timezone.localdate()
    }


@pytest.mark.django_db
def test_importing_the_same_post_twice_makes_a_second_draft_with_new_addresses(erin):
    data = (POSTS / "markdown-headings.md").read_bytes()
    first = import_post(data, by=erin)
    second = import_post(data, by=erin)
    assert second.number == first.number + 1
    slugs = set(Story.objects.values_list("slug", flat=True))
    assert "baidu-opens-its-chatbot-to-everyone" in slugs
    assert "baidu-opens-its-chatbot-to-everyone-2" in slugs
    assert Story.objects.count() == 6
    assert plan_import(read_post(data))["same_title"] == [first.number, second.number]


@pytest.mark.django_db
def test_chinese_headlines_get_a_fallback_address(erin):
    issue = import_post((POSTS / "chinese.md").read_bytes(), by=erin, number=7)
    assert issue.number == 7
    slugs = [e.story.slug for e in issue.entries.select_related("story").order_by("position")]
    assert slugs[:2] == ["issue-7-story-1", "issue-7-story-2"]


@pytest.mark.django_db
def test_a_taken_number_is_refused_and_nothing_is_created(erin):
    make_issue(number=5)
    with pytest.raises(ImportRefused, match="Issue #5 already exists"):
        import_post((POSTS / "markdown-headings.md").read_bytes(), by=erin, number=5)
    assert Story.objects.count() == 0
    assert Issue.objects.count() == 1


@pytest.mark.django_db
def test_an_address_taken_after_the_preview_refuses_the_whole_import(erin):
    plan = plan_import(post("markdown-headings.md"))
    make_story(slug=plan["stories"][2]["slug"])
    with pytest.raises(ImportRefused, match="was taken by another story since"):
        create_from_plan(plan, erin)
    # The first two stories and the issue were rolled back with it.
    assert Story.objects.count() == 1
    assert not Issue.objects.exists()
    assert not Revision.objects.filter(note__startswith="Imported").exists()


@pytest.mark.django_db
def test_an_unreadable_post_creates_nothing(erin):
    with pytest.raises(ImportRefused):
        import_post((POSTS / "bad-empty-story.md").read_bytes(), by=erin)
    assert not Issue.objects.exists() and not Story.objects.exists()
    assert not User.objects.exclude(pk=erin.pk).exists()


@pytest.mark.django_db
def test_a_failure_halfway_through_rolls_back_what_was_already_created(erin):
    plan = plan_import(post("markdown-headings.md"))
    # Two stories wanting one address: the database refuses the third story's row, after the
    # issue and two stories were written.
    plan["stories"][2]["slug"] = plan["stories"][1]["slug"]
    with pytest.raises(ImportRefused, match="nothing was imported"):
        create_from_plan(plan, erin)
    assert not Story.objects.exists()
    assert not Issue.objects.exists()
    assert not Revision.objects.exists()
