"""Suggested tags in a real browser: type, accept one, dismiss one, save, reload."""

import pytest

from companies.suggest import forget_matcher
from stories.models import DismissedSuggestion, Story
from tests.factories import make_company, make_platform, make_topic
from tests.roles import ensure_roles

PASSWORD = "correct horse battery staple"

# serialized_rollback: other transactional tests find the database as migrations left it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def roles(transactional_db):
    ensure_roles()
    forget_matcher()
    yield
    forget_matcher()


def test_editor_accepts_one_suggestion_and_dismisses_another(
    browser, live_server, screenshot_dir, editor
):
    bytedance = make_company("ByteDance", slug="bytedance", name_zh="字节跳动")
    make_platform("TikTok", slug="tiktok", owner=bytedance)
    regulation = make_topic("Regulation", slug="regulation", keywords=["regulator", "ban"])

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#user-tools")

    page.goto(f"{live_server.url}/admin/stories/story/add/")
    page.fill("#id_headline", "Nepal's regulator bans TikTok")
    page.locator("#id_headline").blur()
    page.fill("#id_summary", "The cabinet ordered the app blocked.")
    page.fill("#id_body", "字节跳动 has not commented on the ban.")
    page.fill("#id_sources-0-publisher", "Reuters")
    page.fill("#id_sources-0-url", "https://www.reuters.com/world/")

    suggestions = page.locator("[data-testid=suggestions]")
    tiktok = suggestions.locator("li[data-slug=tiktok]")
    owner = suggestions.locator("li[data-slug=bytedance]")
    topic = suggestions.locator("li[data-slug=regulation]")
    tiktok.wait_for()
    assert "“TikTok” in the headline" in tiktok.inner_text()
    topic.wait_for()
    page.screenshot(path=str(screenshot_dir / "suggestions-01-offered.png"), full_page=True)

    # Accept TikTok: it lands in the Platforms box; dismiss ByteDance.
    tiktok.get_by_role("button", name="Accept").click()
    assert tiktok.count() == 0
    assert (
        page.locator(".field-platforms .select2-selection__choice").inner_text().endswith("TikTok")
    )
    owner.get_by_role("button", name="Dismiss").click()
    assert owner.count() == 0
    page.screenshot(path=str(screenshot_dir / "suggestions-02-chosen.png"), full_page=True)

    page.click("input[name=_continue]")
    page.wait_for_selector("text=was added successfully")
    story = Story.objects.get(headline="Nepal's regulator bans TikTok")
    assert [p.slug for p in story.platforms.all()] == ["tiktok"]
    assert list(story.companies.all()) == []
    assert list(DismissedSuggestion.objects.values_list("kind", "entity_id")) == [
        ("company", bytedance.pk)
    ]

    # After the reload: TikTok is tagged, ByteDance stays dismissed, the topic is still offered.
    page.reload()
    topic.wait_for()
    assert tiktok.count() == 0
    assert owner.count() == 0
    assert topic.get_by_role("button", name="Accept").is_visible()
    # Typing again asks again; the dismissed company still does not come back.
    page.fill("#id_body", "ByteDance, which owns TikTok, has not commented on the ban.")
    page.wait_for_timeout(1_500)
    assert owner.count() == 0
    assert topic.count() == 1
    assert regulation.pk not in [t.pk for t in story.topics.all()]
    page.screenshot(path=str(screenshot_dir / "suggestions-03-reloaded.png"), full_page=True)
    context.close()
