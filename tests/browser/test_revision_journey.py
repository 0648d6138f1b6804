"""Revisions in a real browser: a fix to a published story waits for a second reviewer, is
published pinned to what that reviewer saw, with a correction note; an older text comes back
through review."""

import pytest

from stories.models import Status
from tests.browser.test_editorial_journey import PASSWORD, log_in
from tests.factories import make_company, make_story
from tests.roles import ensure_roles

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def roles(transactional_db):
    ensure_roles()


def test_a_fix_to_a_published_story_is_reviewed_pinned_and_corrected(
    browser, live_server, screenshot_dir, editor, reviewer, other_reviewer
):
    assert PASSWORD  # the named people log in with it
    story = make_story(
        "Douyin fined for live-stream sales",
        status=Status.PUBLISHED,
        author=editor,
        slug="douyin-fined",
        summary="Regulators fined the platform 3 million yuan.",
        companies=[make_company("ByteDance")],
    )
    public = f"{live_server.url}/stories/douyin-fined/"
    change = f"{live_server.url}/admin/stories/story/{story.pk}/change/"

    def read():
        # A new reader each time: a browser may keep a public page for its max-age.
        page = browser.new_context().new_page()
        page.goto(public)
        return page

    # Erin fixes the amount and submits; the public page keeps the published text.
    erin = log_in(browser, live_server, "erin")
    erin.goto(change)
    erin.fill("#id_summary", "Regulators fined the platform 30 million yuan.")
    erin.click("input[name=_submit]")
    erin.wait_for_selector("text=was submitted for review")
    reader = read()
    assert "3 million yuan" in reader.content()
    assert "30 million" not in reader.content()

    # Rita opens it and sees the diff against the published revision.
    rita = log_in(browser, live_server, "rita")
    rita.goto(change)
    rita.click("text=see what changed")
    diff = rita.inner_text("[data-testid=wf-diff]")
    assert "Summary" in diff
    assert rita.inner_text("ins") == "30"
    rita.screenshot(path=str(screenshot_dir / "revision-diff.png"), full_page=True)

    # Rita opens the publish confirmation; meanwhile Erin saves another change.
    rita.goto(change)
    rita.click("input[name=_publish]")
    rita.fill("#id_correction", "An earlier version gave the fine as 3 million yuan.")
    erin.goto(change)
    assert "only reviewers can change it now" in erin.content()

    # Rob, another reviewer, makes a change: Rita's publish is now stale and refused.
    rob = log_in(browser, live_server, "rob")
    rob.goto(change)
    rob.fill("#id_headline", "Douyin fined 30 million yuan for live-stream sales")
    rob.click("input[name=_continue]")
    rob.wait_for_selector("text=was changed successfully")
    rita.click("input[type=submit][value='Publish this revision']")
    rita.wait_for_selector("text=changed since you opened it")
    reader = read()
    assert "3 million yuan" in reader.content()

    # Rob wrote the newest revision, so four eyes hides Publish from him and says why.
    rob.goto(change)
    assert "another reviewer has to publish it" in rob.inner_text("[data-testid=wf-four-eyes]")
    assert rob.locator("input[name=_publish]").count() == 0

    # Rita reviews the newest text and publishes it with the correction note.
    rita.goto(change)
    rita.click("input[name=_publish]")
    rita.fill("#id_correction", "An earlier version gave the fine as 3 million yuan.")
    rita.click("input[type=submit][value='Publish this revision']")
    rita.wait_for_selector("text=is published")
    story.refresh_from_db()
    assert story.headline == "Douyin fined 30 million yuan for live-stream sales"
    reader = read()
    assert reader.inner_text("h1") == "Douyin fined 30 million yuan for live-stream sales"
    assert "30 million yuan" in reader.content()
    corrections = reader.inner_text(".corrections")
    assert "An earlier version gave the fine as 3 million yuan." in corrections
    reader.screenshot(path=str(screenshot_dir / "revision-corrected.png"), full_page=True)

    # Erin restores the first text; it goes through review again, the public page stays.
    erin.goto(change)
    erin.click(".wf-actions >> text=Revisions")
    # The oldest revision is the last row.
    erin.locator("[data-testid=wf-revisions] tbody tr").last.locator("text=Restore…").click()
    erin.click("input[type=submit][value^='Restore revision']")
    erin.wait_for_selector("text=is the newest draft again")
    assert erin.input_value("#id_summary") == "Regulators fined the platform 3 million yuan."
    reader = read()
    assert "30 million yuan" in reader.content()
    story.refresh_from_db()
    assert story.pending_status == Status.DRAFT


def test_leaving_a_form_with_unsaved_typing_asks_first(browser, live_server, editor):
    story = make_story("Half-typed", author=editor, companies=[make_company()])
    erin = log_in(browser, live_server, "erin")
    change = f"{live_server.url}/admin/stories/story/{story.pk}/change/"
    erin.goto(change)
    asked = []

    def answer(dialog):
        asked.append(dialog.type)
        dialog.dismiss()  # "stay on the page"

    erin.on("dialog", answer)
    erin.locator("#id_summary").click()
    erin.keyboard.type(" More words.")
    erin.click("text=Editorial desk")
    assert asked == ["beforeunload"]
    assert erin.url == change
    assert erin.input_value("#id_summary").endswith("More words.")

    # Saving is never interrupted.
    erin.click("input[name=_continue]")
    erin.wait_for_selector("text=was changed successfully")
    assert asked == ["beforeunload"]
