"""Rita the reviewer sets up an authenticator app at her first sign-in, then signs in with it.
The code is computed from the secret the page shows, as her phone would (no CSP violations:
the conftest fails the test on any)."""

import base64

import pytest
from django_otp.oath import totp

from tests.roles import ensure_roles

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def roles(transactional_db):
    ensure_roles()


def password_step(page, live_server):
    page.goto(f"{live_server.url}/admin/login/?next=/admin/desk/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def test_a_reviewer_sets_up_two_factor_sign_in_and_uses_it(
    page, live_server, settings, screenshot_dir, reviewer
):
    settings.DIGEST_STAFF_2FA = "required"
    password_step(page, live_server)

    page.wait_for_selector("#two-factor-secret")
    assert page.url.endswith("/admin/login/set-up/")
    # The QR code (a data: SVG image) really renders under the site's CSP.
    assert page.eval_on_selector("img.two-factor-qr", "img => img.naturalWidth") > 0
    page.screenshot(path=str(screenshot_dir / "two-factor-01-set-up.png"), full_page=True)
    key = base64.b32decode(page.inner_text("#two-factor-secret").replace(" ", ""))
    page.fill("#id_token", f"{totp(key):06d}")
    page.click("#two-factor-form input[type=submit]")
    page.wait_for_selector("#two-factor-backup-codes")
    assert len(page.locator("#two-factor-backup-codes li").all()) == 10
    page.screenshot(path=str(screenshot_dir / "two-factor-02-backup-codes.png"), full_page=True)
    page.click("text=I have kept them: continue")
    page.wait_for_selector("#user-tools")
    assert page.url.endswith("/admin/desk/")
    assert "Editorial desk" in page.inner_text("h1")

    page.click("#logout-form button")
    page.wait_for_selector("text=Logged out")

    password_step(page, live_server)
    page.wait_for_selector("#two-factor-form")
    assert page.url.endswith("/admin/login/code/")
    page.screenshot(path=str(screenshot_dir / "two-factor-03-code.png"), full_page=True)
    # The next step's code (within the one-step tolerance): the set-up code was used already.
    page.fill("#id_token", f"{totp(key, drift=1):06d}")
    page.click("#two-factor-form input[type=submit]")
    page.wait_for_selector("#user-tools")
    assert page.url.endswith("/admin/desk/")
