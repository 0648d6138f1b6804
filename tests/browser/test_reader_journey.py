"""A reader's journey in a real browser, at phone and desktop widths, with screenshots."""

import xml.etree.ElementTree as ET

import pytest
from django.core.files.base import ContentFile

from stories import demo_images
from tests.factories import staff_writer
from tests.site import conftest as site_fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The public-site newsroom and its clean page cache, shared with tests/site.
newsroom = site_fixtures.newsroom
_fresh_page_cache = site_fixtures._fresh_page_cache


@pytest.mark.parametrize("width", [360, 1280])
def test_reader_goes_from_home_to_a_company_timeline_search_and_feed(
    browser, live_server, newsroom, screenshot_dir, width
):
    # Story 2 has a lead image, as the demo's chart-like pictures (stories.demo_images).
    eu = newsroom.eu
    eu.image_alt = "An abstract bar chart: bars rise, the last two drawn as empty outlines."
    eu.image_caption = "A picture drawn for the test, in the site's colours."
    eu.image_credit = "Illustration: Digest"
    eu.image.save("lead.png", ContentFile(demo_images.rising_bars_withheld()))
    # Bylines with a photo, as the demo's writers have.
    staff = staff_writer()
    staff.photo.save("staff.png", ContentFile(demo_images.initials_photo(staff.name, "#1f5f8b")))
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    def lead_image_loaded():
        image = page.locator(".lead-image img")
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "document.querySelector('.lead-image img').complete"
            " && document.querySelector('.lead-image img').naturalWidth > 0"
        )
        # The browser chose the WebP rendition its column needs: 360 px → 640, 672 px → 960.
        chosen = image.evaluate("img => img.currentSrc")
        assert chosen.endswith({360: ".w640.webp", 1280: ".w960.webp"}[width]), chosen
        assert image.get_attribute("alt") == eu.image_alt

    def shot(name):
        page.screenshot(path=str(screenshot_dir / f"reader-{width}-{name}.png"), full_page=True)
        # Nothing may force sideways scrolling on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} overflows by {overflow}px at {width}px"

    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Singles' Day and the EU"
    assert page.locator(".issue-story").count() == 4
    assert page.locator(".issue-story .byline").count() == 4
    lead_image_loaded()
    shot("1-home")

    page.locator("#story-2-headline").get_by_role("link").click()
    page.wait_for_url("**/stories/eu-investigates-tiktok/")
    assert page.locator(".kicker").text_content().strip() == "Ran in Issue #7, story 2"
    assert page.locator(".byline").inner_text() == "By Staff Writer"
    page.wait_for_function(
        "document.querySelector('.byline img').complete"
        " && document.querySelector('.byline img').naturalWidth > 0"
    )
    lead_image_loaded()
    assert page.locator(".lead-image figcaption").text_content().endswith("Illustration: Digest")
    shot("2-story")

    page.locator(".tags").get_by_role("link", name="ByteDance").click()
    page.wait_for_url("**/companies/bytedance/")
    assert page.locator("h1").inner_text().startswith("ByteDance")
    # ByteDance's coverage is one month (November 2026): one bar, not 24 mostly empty ones.
    assert page.locator("svg.chart rect.chart-bar").count() == 1
    assert page.locator(".coverage figcaption").inner_text() == "2 stories in November 2026."
    shot("3-company")

    page.go_back()
    page.locator(".byline").get_by_role("link", name="Staff Writer").click()
    page.wait_for_url("**/authors/staff-writer/")
    assert page.locator("h1").inner_text() == "Staff Writer"
    assert page.locator(".card").count() >= 4
    shot("3b-author")
    page.goto(live_server.url + "/companies/bytedance/")

    page.goto(live_server.url + "/companies/alibaba-group/")
    assert page.get_by_text("via Taobao", exact=True).is_visible()
    shot("4-timeline")

    page.get_by_label("Search stories").fill("阿里巴巴")
    page.get_by_label("Search stories").press("Enter")
    page.wait_for_url("**/search/**")
    assert page.locator(".matches").get_by_role("link", name="Alibaba Group").is_visible()
    assert page.locator(".card").count() >= 1
    shot("5-search")

    page.locator(".matches").get_by_role("link", name="Alibaba Group").click()
    page.wait_for_url("**/companies/alibaba-group/")
    feed_href = page.get_by_role("link", name="Follow Alibaba Group by RSS").get_attribute("href")
    feed = page.request.get(live_server.url + feed_href)
    assert feed.ok
    root = ET.fromstring(feed.body())
    assert len(root.findall("./channel/item")) == 3
    context.close()


def test_keyboard_user_can_skip_to_content_and_see_focus(page, live_server, newsroom):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0  # visible when focused
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_pages_read_without_javascript(browser, live_server, newsroom):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/companies/alibaba-group/")
    assert page.locator(".card").count() == 3
    page.goto(live_server.url + "/search/?q=BABA")
    assert page.locator(".card").count() == 1
    context.close()
