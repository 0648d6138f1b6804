"""Signing up for the newsletter from an issue page, in a real browser, phone and desktop."""

import pytest

from newsletter.models import Subscriber
from tests.queue import queued
from tests.site import conftest as site_fixtures

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

newsroom = site_fixtures.newsroom
_fresh_page_cache = site_fixtures._fresh_page_cache


@pytest.mark.parametrize("width", [360, 1280])
def test_a_reader_signs_up_from_an_issue_page(
    browser, live_server, newsroom, screenshot_dir, width
):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    def shot(name):
        page.screenshot(path=str(screenshot_dir / f"newsletter-{width}-{name}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{name} overflows by {overflow}px at {width}px"

    page.goto(live_server.url + "/issues/7/")
    signup = page.get_by_role("complementary", name="Get each issue by email")
    signup.get_by_label("Your email address").fill("reader@example.com")
    shot("1-issue")
    signup.get_by_role("button", name="Subscribe").click()
    # The sign-up page, filled in: nothing is subscribed until its own form is sent.
    page.wait_for_url("**/newsletter/?email=reader%40example.com")
    assert page.get_by_label("Your email address").input_value() == "reader@example.com"
    assert not Subscriber.objects.exists()
    shot("2-form")
    page.get_by_role("button", name="Subscribe").click()
    assert page.locator("h1").inner_text() == "Check your inbox"
    shot("3-check-inbox")
    assert Subscriber.objects.get().status == "pending"
    assert queued("newsletter.send_confirmation").count() == 1
    # A mistyped address gets a message, not a sign-up.
    page.goto(live_server.url + "/newsletter/")
    page.get_by_label("Your email address").fill("reader@example")
    page.get_by_role("button", name="Subscribe").click()
    assert "Enter an email address" in page.locator(".errorlist").inner_text()
    assert Subscriber.objects.count() == 1
    context.close()
