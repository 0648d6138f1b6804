"""Importing a digest post in a real browser: upload, preview, confirm, the draft issue."""

from pathlib import Path

import pytest

from issues.models import Issue
from stories.models import Status, Story
from tests.factories import make_company, make_platform
from tests.roles import ensure_roles

from .test_editorial_journey import log_in

# serialized_rollback: other transactional tests find the database as migrations left it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POSTS = Path(__file__).resolve().parents[1] / "data" / "posts"


@pytest.fixture(autouse=True)
def roles(transactional_db):
    ensure_roles()


def test_an_editor_imports_a_site_builder_post_as_a_draft_issue(
    browser, live_server, screenshot_dir, editor
):
    make_platform("Taobao", slug="taobao", owner=make_company("Alibaba Group", slug="alibaba"))
    erin = log_in(browser, live_server, "erin")
    erin.goto(f"{live_server.url}/admin/issues/issue/")
    erin.click("text=Import a post")
    erin.set_input_files("#id_file", str(POSTS / "sitebuilder-export.html"))
    erin.click("input[value=Preview]")

    summary = erin.inner_text("[data-testid=import-summary]")
    assert "#1" in summary and "Digital Digest #31: AI Assistants Everywhere" in summary
    stories = erin.locator("[data-testid=import-stories] > li")
    assert stories.count() == 3
    assert "Alibaba Puts an Assistant in Taobao" in stories.nth(0).inner_text()
    assert "South China Morning Post" in stories.nth(0).inner_text()
    assert "Taobao" in stories.nth(0).inner_text().split("Suggested tags:")[1]
    erin.screenshot(path=str(screenshot_dir / "import-preview.png"), full_page=True)
    assert not Issue.objects.exists()  # the preview creates nothing

    erin.click("input[value='Create the drafts']")
    erin.wait_for_selector("text=Imported as draft issue #1")
    issue = Issue.objects.get()
    assert erin.url.endswith(f"/admin/issues/issue/{issue.pk}/change/")
    assert issue.status == Status.DRAFT
    assert issue.title == "Digital Digest #31: AI Assistants Everywhere"
    assert [e.story.headline for e in issue.entries.select_related("story")] == [
        "Alibaba Puts an Assistant in Taobao",
        "Meituan Launches a Chatbot Called Wow",
        "Regulators Publish Draft Rules for Generative AI",
    ]
    assert set(Story.objects.values_list("status", flat=True)) == {Status.DRAFT}
    # The issue's form lists the three stories in order.
    assert erin.input_value("#id_entries-0-position") == "1"
    erin.screenshot(path=str(screenshot_dir / "import-done.png"), full_page=True)


def test_cancel_on_the_preview_creates_nothing(browser, live_server, editor):
    erin = log_in(browser, live_server, "erin")
    erin.goto(f"{live_server.url}/admin/issues/issue/import/")
    erin.fill("#id_text", (POSTS / "markdown-headings.md").read_text())
    erin.click("input[value=Preview]")
    erin.wait_for_selector("[data-testid=import-stories]")
    erin.click("text=Cancel")
    erin.wait_for_url("**/admin/issues/issue/")
    assert not Issue.objects.exists()
    assert not Story.objects.exists()
