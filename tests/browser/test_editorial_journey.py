"""The whole editorial loop in a real browser: write, submit, review, revise, publish, read."""

import re

import pytest

from editorial.models import Transition
from stories.models import Status, Story
from tests.factories import make_author, make_company
from tests.roles import ensure_roles

PASSWORD = "correct horse battery staple"

# serialized_rollback: other transactional tests find the database as migrations left it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def roles(transactional_db):
    ensure_roles()


def log_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")
    return page


def open_story(page, live_server, story):
    page.goto(f"{live_server.url}/admin/stories/story/{story.pk}/change/")


def test_editor_and_reviewer_take_a_story_from_draft_to_the_public_site(
    browser, live_server, screenshot_dir, editor, reviewer
):
    make_company("Alibaba Group", name_zh="阿里巴巴集团", aliases=["BABA"])
    erin_byline = make_author("Erin Example", slug="erin-example", user=editor)
    shot = iter(range(1, 100))

    def screenshot(page, name):
        page.screenshot(
            path=str(screenshot_dir / f"journey-{next(shot):02d}-{name}.png"), full_page=True
        )

    # Erin writes a story with a company and a source.
    erin = log_in(browser, live_server, "erin")
    erin.goto(f"{live_server.url}/admin/stories/story/add/")
    erin.fill("#id_headline", "Alibaba splits into six business groups")
    # The slug is filled in from the headline by the admin's JavaScript.
    erin.locator("#id_headline").blur()
    assert erin.input_value("#id_slug") == "alibaba-splits-into-six-business-groups"
    erin.fill("#id_summary", "The group will be run as six companies, each with its own board.")
    erin.fill("#id_body", "Each of the six can raise money and **list on its own**.")
    erin.click(".field-companies .select2-selection")
    erin.fill(".select2-search__field", "BABA")
    erin.click(".select2-results__option:has-text('Alibaba Group')")
    erin.fill("#id_sources-0-publisher", "Reuters")
    erin.fill("#id_sources-0-url", "https://www.reuters.com/technology/alibaba-split")
    screenshot(erin, "editor-writes")
    erin.click("input[name=_continue]")
    erin.wait_for_selector("text=was added successfully")
    story = Story.objects.get(slug="alibaba-splits-into-six-business-groups")
    assert story.author == editor
    # Her byline was filled in for her: her account is linked to her author page.
    assert list(story.authors.all()) == [erin_byline]
    assert [c.name for c in story.companies.all()] == ["Alibaba Group"]
    assert story.sources.get().publisher == "Reuters"

    # She submits it for review.
    erin.click("input[name=_submit]")
    erin.wait_for_selector("text=was submitted for review")
    assert erin.inner_text("[data-testid=wf-state]") == "In review"
    screenshot(erin, "editor-submitted")

    # Rita asks for a change, with a comment.
    rita = log_in(browser, live_server, "rita")
    rita.goto(f"{live_server.url}/admin/desk/")
    rita.click("text=Alibaba splits into six business groups")
    rita.click("text=Request changes…")
    rita.fill("#id_comment", "Name the six groups in the summary, please.")
    screenshot(rita, "reviewer-requests-changes")
    rita.click("input[type=submit][value='Request changes']")
    rita.wait_for_selector("text=was sent back to its author")
    story.refresh_from_db()
    assert story.status == Status.DRAFT

    # Erin sees the comment on her desk and on the story, edits and resubmits.
    erin.goto(f"{live_server.url}/admin/desk/")
    assert "Name the six groups in the summary, please." in erin.content()
    erin.click("#changes >> xpath=.. >> text=Alibaba splits into six business groups")
    assert "Name the six groups in the summary, please." in erin.inner_text("#wf-history")
    screenshot(erin, "editor-reads-comment")
    assert "Name the six groups" in erin.inner_text("[data-testid=wf-review-comment]")
    erin.fill(
        "#id_summary",
        "Cloud, commerce, local services, logistics, media and international: six groups.",
    )
    # "Save and submit" keeps what she typed, then submits it.
    erin.click("input[name=_submit]")
    erin.wait_for_selector("text=was submitted for review")
    story.refresh_from_db()
    assert story.summary.startswith("Cloud, commerce")
    screenshot(erin, "editor-resubmits")

    # Rita publishes it.
    open_story(rita, live_server, story)
    rita.click("input[name=_publish]")
    rita.click("input[type=submit][value='Publish this revision']")
    rita.wait_for_selector("text=is published")
    assert rita.inner_text("[data-testid=wf-state]") == "Published"
    screenshot(rita, "reviewer-publishes")

    # Anyone can read it on the public site.
    reader = browser.new_context().new_page()
    reader.goto(f"{live_server.url}/stories/alibaba-splits-into-six-business-groups/")
    assert reader.inner_text("h1") == "Alibaba splits into six business groups"
    assert "six groups" in reader.content()
    assert re.search("Reuters", reader.content())
    assert reader.inner_text(".byline") == "By Erin Example"
    screenshot(reader, "public-story")

    actions = list(
        Transition.objects.filter(object_id=story.pk)
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert actions == ["submit", "request_changes", "submit", "publish"]


def test_reviewer_reorders_an_issues_stories_with_move_buttons(
    browser, live_server, screenshot_dir, reviewer
):
    from tests.factories import make_issue, make_story

    first, second, third = (make_story(f"Story {n}") for n in ("one", "two", "three"))
    issue = make_issue(number=51, stories=[first, second, third])
    page = log_in(browser, live_server, "rita")
    page.goto(f"{live_server.url}/admin/issues/issue/{issue.pk}/change/")
    page.locator("#entries-2 button[aria-label='Move up']").click()
    page.locator("#entries-2 button[aria-label='Move up']").click()
    # A story added in the blank row goes to the end.
    make_story("Story four")
    page.click("#entries-3 .select2-selection")
    page.fill(".select2-search__field", "four")
    page.click(".select2-results__option:has-text('Story four')")
    assert page.input_value("#entries-3 td.field-position input") == "4"
    page.screenshot(path=str(screenshot_dir / "issue-reordered.png"), full_page=True)
    page.click("input[name=_continue]")
    page.wait_for_selector("text=was changed successfully")
    ordered = list(issue.entries.order_by("position").values_list("story__headline", flat=True))
    assert ordered == ["Story three", "Story one", "Story two", "Story four"]
