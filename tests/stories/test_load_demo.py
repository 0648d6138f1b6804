from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.utils import timezone
from django.utils.html import escape

from editorial.models import Transition
from issues.models import Issue, IssueStory
from stories import demo_content as demo
from stories.models import (
    Author,
    AuthorLink,
    Byline,
    Company,
    Platform,
    Source,
    Status,
    Story,
    Topic,
)

pytestmark = pytest.mark.django_db

SAMPLE_ORDER = [
    "eu-investigates-tiktok-youtube-child-protection",
    "nepal-bans-tiktok-social-harmony",
    "alibaba-jd-singles-day-growth-no-sales-total",
    "china-tech-firms-consumer-generative-ai",
    "greenpeace-ranks-pinduoduo-last-on-climate",
    "alibaba-ceo-eddie-wu-ai-open-technology-platform",
    "tiktok-live-fest-streaming-talent",
    "tiktok-add-to-music-app",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The demo draws its authors' photos into MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"


def load(**options):
    out = StringIO()
    call_command("load_demo", force=True, stdout=out, **options)
    return out.getvalue()


def snapshot():
    """Every column of every row the demo touches, plus the many-to-many links."""
    models = [
        *(Company, Platform, Topic, Story, Source, Issue, IssueStory, Transition, User),
        *(Author, AuthorLink, Byline),
    ]
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["links"] = [
        (
            story.pk,
            sorted(story.companies.values_list("pk", flat=True)),
            sorted(story.platforms.values_list("pk", flat=True)),
            sorted(story.topics.values_list("pk", flat=True)),
        )
        for story in Story.objects.order_by("pk")
    ]
    rows["groups"] = sorted(User.groups.through.objects.values_list("user_id", "group_id"))
    return rows


@pytest.fixture
def published_issue():
    load()
    return Issue.objects.published().get()


def test_demo_publishes_one_issue_with_the_samples_eight_stories_in_order(published_issue):
    assert published_issue.number == 47
    entries = list(published_issue.entries.order_by("position").select_related("story"))
    assert [e.position for e in entries] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [e.story.slug for e in entries] == SAMPLE_ORDER
    assert entries[0].story.headline.startswith("EU presses TikTok and YouTube")
    assert "Nepal" in entries[1].story.headline


def test_the_demo_issue_ends_like_the_sample_with_a_wrap_up_and_its_report(client, published_issue):
    assert published_issue.wrapup_heading == "Wrapping up"
    assert published_issue.report_title and published_issue.report_url.startswith("https://")
    page = client.get("/issues/47/").content.decode()
    assert '<h2 id="wrapup-title">Wrapping up</h2>' in page
    assert f'<a href="{published_issue.report_url}">{escape(published_issue.report_title)}</a>' in (
        page
    )
    # The revision readers see holds them too.
    fields = published_issue.live_revision.content["fields"]
    assert fields["report_url"] == published_issue.report_url


def test_issue_and_its_stories_went_public_at_the_same_moment(published_issue):
    moment = datetime(2023, 11, 17, 9, 0, tzinfo=ZoneInfo("Europe/London"))
    assert published_issue.status == Status.PUBLISHED
    assert published_issue.published_at == moment
    assert published_issue.intro_html and published_issue.wrapup_html
    stories = published_issue.stories.all()
    assert {(s.status, s.published_at) for s in stories} == {(Status.PUBLISHED, moment)}
    assert len(stories) == 8


def test_every_published_story_has_source_company_summary_and_editor_as_author(published_issue):
    for story in published_issue.stories.all():
        assert story.sources.exists(), story.slug
        assert story.companies.exists(), story.slug
        assert story.topics.exists(), story.slug
        assert story.summary, story.slug
        assert story.author.username == "editor"
        assert story.body_html.count("<p>") >= 2, story.slug
        for source in story.sources.all():
            assert source.url.startswith("https://"), story.slug


def test_event_dates_follow_the_sample_week(published_issue):
    dates = {s.slug: s.event_date.isoformat() for s in published_issue.stories.all()}
    assert dates["eu-investigates-tiktok-youtube-child-protection"] == "2023-11-09"
    assert dates["nepal-bans-tiktok-social-harmony"] == "2023-11-13"
    assert dates["tiktok-add-to-music-app"] == "2023-11-14"
    assert dates["alibaba-ceo-eddie-wu-ai-open-technology-platform"] == "2023-11-08"
    assert all("2023-11-01" <= d <= "2023-11-17" for d in dates.values())


def test_earlier_coverage_gives_company_timelines_depth_outside_the_issue():
    load()
    earlier = Story.objects.published().filter(issue_entries__isnull=True)
    assert earlier.count() == 3
    assert all(s.published_at < demo.PUBLISHED_AT for s in earlier)
    bytedance_timeline = Story.objects.published().filter(companies__slug="bytedance")
    assert bytedance_timeline.count() == 6
    assert bytedance_timeline.order_by("event_date").first().slug == (
        "tiktok-shop-closes-in-indonesia"
    )
    assert Story.objects.published().filter(companies__slug="baidu").count() == 2


def test_companies_carry_chinese_names_tickers_and_parents():
    load()
    alibaba = Company.objects.get(slug="alibaba-group")
    assert alibaba.name_zh == "阿里巴巴集团"
    assert {"BABA", "9988.HK"} <= set(alibaba.aliases)
    assert Company.objects.get(name="ByteDance").name_zh == "字节跳动"
    assert Company.objects.get(name="JD.com").name_zh == "京东"
    assert "9618.HK" in Company.objects.get(name="JD.com").aliases
    assert Company.objects.get(name="Baidu").aliases == ["Baidu Inc.", "BIDU", "9888.HK"]
    assert Company.objects.get(name="Taobao and Tmall Group").parent == alibaba
    pinduoduo = Company.objects.get(name="Pinduoduo")
    assert pinduoduo.name_zh == "拼多多"
    assert pinduoduo.parent.name_zh == "拼多多控股"
    assert Company.objects.get(name="Google").parent.name == "Alphabet"


def test_platforms_know_their_owners_and_kinds():
    load()
    owners = dict(Platform.objects.values_list("slug", "owner__name"))
    assert owners["tiktok"] == "ByteDance"
    assert owners["douyin"] == "ByteDance"
    assert owners["youtube"] == "Google"
    assert owners["taobao"] == "Taobao and Tmall Group"
    assert owners["tmall"] == "Taobao and Tmall Group"
    assert owners["ernie-bot"] == "Baidu"
    assert owners["meituan-wow"] == "Meituan"
    assert Platform.objects.get(slug="ernie-bot").kind == Platform.Kind.CHATBOT
    assert Platform.objects.get(slug="taobao").kind == Platform.Kind.ECOMMERCE


def test_a_draft_story_a_story_in_review_and_next_weeks_draft_issue():
    load()
    in_review = Story.objects.get(status=Status.IN_REVIEW)
    draft = Story.objects.get(status=Status.DRAFT)
    assert in_review.published_at is None and draft.published_at is None
    assert Story.objects.count() == 13

    next_issue = Issue.objects.get(number=48)
    assert next_issue.status == Status.DRAFT
    assert next_issue.published_at is None
    assert list(next_issue.entries.order_by("position").values_list("story", flat=True)) == [
        in_review.pk,
        draft.pk,
    ]
    assert not Issue.objects.published().filter(number=48).exists()


def test_running_twice_changes_nothing_and_so_does_a_reset_of_unchanged_demo_content():
    load()
    before = snapshot()
    load()
    assert snapshot() == before
    load(reset=True)
    assert snapshot() == before
    assert Story.objects.count() == 13
    all_stories = [
        *demo.PUBLISHED_STORIES,
        *demo.EARLIER_STORIES,
        demo.REVIEW_STORY,
        demo.DRAFT_STORY,
    ]
    assert Source.objects.count() == sum(len(s["sources"]) for s in all_stories)
    assert Transition.objects.count() == 2 * (8 + 1 + 3) + 1
    assert IssueStory.objects.count() == 10


def test_a_rerun_keeps_what_the_user_changed():
    """make run loads the demo every time: a second run must not undo the user's work."""
    load()
    issue = Issue.objects.get(number=48)
    issue.status, issue.published_at = Status.PUBLISHED, timezone.now()
    issue.title = "My own title"
    issue.save()
    output = load()
    issue.refresh_from_db()
    assert (issue.status, issue.title) == (Status.PUBLISHED, "My own title")
    assert "left as it is" in output and "--reset" in output


def test_reset_repairs_edited_demo_content_without_duplicating_it():
    load()
    story = Story.objects.get(slug="nepal-bans-tiktok-social-harmony")
    story.headline = "Edited"
    story.save()
    story.sources.all().delete()
    story.companies.clear()
    load(reset=True)
    story.refresh_from_db()
    assert story.headline == demo.PUBLISHED_STORIES[1]["headline"]
    assert list(story.sources.values_list("publisher", flat=True)) == [
        "Reuters",
        "The Kathmandu Post",
    ]
    assert list(story.companies.values_list("slug", flat=True)) == ["bytedance"]
    assert Story.objects.count() == 13


def test_refuses_without_force_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo", stdout=StringIO())
    assert not Story.objects.exists()
    assert not Company.objects.exists()
    assert not User.objects.exists()


def test_runs_without_force_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    assert Issue.objects.published().count() == 1


def test_demo_users_have_their_roles_and_printed_passwords():
    output = load()
    editor = User.objects.get(username="editor")
    reviewer = User.objects.get(username="reviewer")
    admin = User.objects.get(username="admin")
    assert editor.is_staff and not editor.is_superuser
    assert list(editor.groups.values_list("name", flat=True)) == ["Editors"]
    assert reviewer.is_staff and not reviewer.is_superuser
    assert list(reviewer.groups.values_list("name", flat=True)) == ["Reviewers"]
    assert admin.is_superuser and admin.is_staff
    assert editor.check_password("editor-demo-pass")
    assert reviewer.check_password("reviewer-demo-pass")
    assert admin.check_password("admin-demo-pass")
    assert reviewer.has_perm("stories.publish_story")
    assert not editor.has_perm("stories.publish_story")
    for word in ["editor", "editor-demo-pass", "reviewer-demo-pass", "admin-demo-pass"]:
        assert word in output


def test_a_rerun_keeps_a_changed_demo_password():
    load()
    editor = User.objects.get(username="editor")
    editor.set_password("my own secret")
    editor.save()
    load()
    editor.refresh_from_db()
    assert editor.check_password("my own secret")


def test_missing_role_groups_abort_the_whole_load():
    Group.objects.filter(name="Reviewers").delete()
    with pytest.raises(CommandError, match="migrate"):
        load()
    assert not User.objects.exists()


def test_home_page_shows_the_eight_headlines_in_order(client):
    load()
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    headlines = [s["headline"] for s in demo.PUBLISHED_STORIES]
    positions = [html.find(escape(headline)) for headline in headlines]
    assert -1 not in positions, headlines
    assert positions == sorted(positions)
    assert escape(demo.REVIEW_STORY["headline"]) not in html
    assert escape(demo.DRAFT_STORY["headline"]) not in html


def test_every_demo_story_has_an_author_with_a_drawn_photo(published_issue, client):
    from PIL import Image

    assert not Story.objects.filter(bylines__isnull=True).exists()
    for author in Author.objects.all():
        with Image.open(author.photo.path) as photo:
            assert (photo.format, photo.size) == ("PNG", (240, 240))
    assert Author.objects.get(slug="mira-castell").user.username == "editor"
    page = client.get("/issues/47/").content.decode()
    assert page.count('<p class="byline">') == 8
    assert "Tomás Reyes" in page and "Ada Lindqvist" in page


def test_reset_puts_the_demo_bylines_back(published_issue):
    story = Story.objects.get(slug=demo.PUBLISHED_STORIES[0]["slug"])
    story.bylines.all().delete()
    load(reset=True)
    assert [a.slug for a in story.authors.order_by("bylines__position")] == demo.DEFAULT_BYLINE


def test_two_demo_stories_have_a_drawn_lead_image_with_alt_caption_and_credit(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    load()
    pictured = Story.objects.exclude(image="").order_by("slug")
    assert [story.slug for story in pictured] == [
        "alibaba-jd-singles-day-growth-no-sales-total",
        "greenpeace-ranks-pinduoduo-last-on-climate",
    ]
    for story in pictured:
        assert story.image_alt and story.image_caption and story.image_credit
        assert story.image_renditions["widths"] == [320, 640, 960, 1200, 1600]
        page = client.get(story.get_absolute_url()).content.decode()
        assert "<figcaption>" in page and ".w640.webp 640w" in page
