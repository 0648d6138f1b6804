"""Two-factor sign-in for staff (DIGEST_STAFF_2FA). Rita the reviewer and Alice the admin must
give a code from an authenticator app when it is "required"; Erin the editor may. Codes are
real TOTP codes computed from the device's key at the (frozen) time of each request."""

import base64
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from editorial.models import ShareLink
from stories.models import Status
from tests.factories import make_story

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
CODE_STEP = reverse("admin:two_factor_code")
SET_UP = reverse("admin:two_factor_set_up")
RIGHT = "correct horse battery staple"
# A moment in the middle of a 30-second TOTP step, so a frozen clock stays inside one step.
START = datetime(2026, 3, 2, 9, 0, 10, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def required(settings):
    settings.DIGEST_STAFF_2FA = "required"


@pytest.fixture
def offered(settings):
    settings.DIGEST_STAFF_2FA = "offered"


def code_for(device):
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def app_for(user):
    return TOTPDevice.objects.create(user=user, name="Rita's phone", confirmed=True)


def password_step(client, username, password=RIGHT, address="127.0.0.2", next_url="/admin/"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": next_url},
        REMOTE_ADDR=address,
    )


def code_step(client, code, address="127.0.0.2"):
    return client.post(CODE_STEP, {"token": code}, REMOTE_ADDR=address)


def backup_codes_in(page):
    listing = re.search(r'id="two-factor-backup-codes">(.*?)</ul>', page, re.S).group(1)
    return re.findall(r"<li>([a-z2-7]{8})</li>", listing)


def signed_in(client):
    return "_auth_user_id" in client.session


def sign_in_with_code(client, user, device):
    assert password_step(client, user.username)["Location"] == CODE_STEP
    response = code_step(client, code_for(device))
    assert response.status_code == 302, response.content.decode()
    assert signed_in(client)


# -- setting up an app --------------------------------------------------------------------------


def test_a_reviewer_without_an_app_sets_one_up_before_reaching_the_admin(
    client, required, reviewer, clock
):
    response = password_step(client, "rita", next_url="/admin/desk/")
    assert response.status_code == 302
    assert response["Location"] == SET_UP
    assert not signed_in(client)

    page = client.get(SET_UP).content.decode()
    device = TOTPDevice.objects.get(user=reviewer, confirmed=False)
    secret = base64.b32encode(device.bin_key).decode()
    shown = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', page).group(1)
    assert shown.replace(" ", "") == secret
    qr = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', page).group(1)
    assert b"<svg" in base64.b64decode(qr)

    # Half-way, nothing staff-only opens.
    for url in ("/admin/", "/admin/desk/", "/admin/stories/story/"):
        assert client.get(url)["Location"].startswith(LOGIN), url

    response = client.post(SET_UP, {"token": code_for(device)})
    assert response.status_code == 200
    assert signed_in(client)
    device.refresh_from_db()
    assert device.confirmed
    # Backup codes, shown this once, then on to where Rita was going.
    page = response.content.decode()
    assert len(backup_codes_in(page)) == 10
    assert 'href="/admin/desk/"' in page
    assert client.get("/admin/desk/").status_code == 200


def test_a_wrong_first_code_does_not_confirm_the_app(client, required, reviewer, clock):
    password_step(client, "rita")
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=reviewer)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = client.post(SET_UP, {"token": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not signed_in(client)
    device.refresh_from_db()
    assert not device.confirmed
    assert AccessAttempt.objects.get(username="rita").failures_since_start == 1


def test_an_editor_may_set_up_an_app_from_the_admin(client, offered, editor, clock):
    assert password_step(client, "erin").status_code == 302
    assert signed_in(client)
    assert "Two-factor sign-in" in client.get("/admin/").content.decode()
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=editor)
    response = client.post(SET_UP, {"token": code_for(device)})
    assert len(backup_codes_in(response.content.decode())) == 10
    # Verified by the code just given: the session stays signed in now that Erin has an app.
    assert client.get("/admin/").status_code == 200
    client.logout()
    clock.shift(30)
    assert password_step(client, "erin")["Location"] == CODE_STEP
    assert not signed_in(client)


# -- signing in with a code ---------------------------------------------------------------------


def test_a_reviewer_signs_in_with_password_and_code(client, required, reviewer, clock):
    device = app_for(reviewer)
    response = password_step(client, "rita")
    assert response["Location"] == CODE_STEP
    assert not signed_in(client)
    assert "Signing in as <strong>rita</strong>" in client.get(CODE_STEP).content.decode()
    response = code_step(client, code_for(device))
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_message(client, required, reviewer, clock):
    device = app_for(reviewer)
    password_step(client, "rita")
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    response = code_step(client, wrong)
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert not signed_in(client)
    assert client.get("/admin/")["Location"].startswith(LOGIN)
    # Counted by django-axes like a wrong password.
    assert AccessAttempt.objects.get(username="rita").failures_since_start == 1
    # The right code, once django-otp's one-second back-off has passed, still works.
    clock.shift(2)
    assert code_step(client, code_for(device)).status_code == 302
    assert signed_in(client)


def test_guessing_codes_pauses_sign_ins_even_with_the_right_code(client, required, reviewer, clock):
    device = app_for(reviewer)
    password_step(client, "rita")
    for _ in range(5):
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
        response = code_step(client, wrong)
        # Past django-otp's own back-off (1, 2, 4, 8 s), so every guess is checked and counted.
        clock.shift(20)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert AccessAttempt.objects.get(username="rita").failures_since_start == 5
    # The half-way state is gone, and the password (then the code) is refused until the cooloff.
    assert client.get(CODE_STEP)["Location"] == LOGIN
    assert password_step(client, "rita").status_code == 429
    assert not signed_in(client)
    clock.shift(16 * 60)
    sign_in_with_code(client, reviewer, device)


def test_a_code_is_accepted_only_once(client, required, reviewer, clock):
    device = app_for(reviewer)
    sign_in_with_code(client, reviewer, device)
    used = code_for(device)
    client.logout()
    clock.shift(2)  # the same 30-second step: the app still shows this code
    assert code_for(device) == used
    password_step(client, "rita")
    response = code_step(client, used)
    assert response.status_code == 200
    assert "each code works once" in response.content.decode()
    assert not signed_in(client)
    clock.shift(30)  # the next code, a step later, works
    assert code_step(client, code_for(device)).status_code == 302
    assert signed_in(client)


def test_a_superuser_needs_a_code_too(client, required, admin_user, clock):
    assert password_step(client, "alice")["Location"] == SET_UP
    assert not signed_in(client)


# -- backup codes -------------------------------------------------------------------------------


def _set_up_with_backup_codes(client, user):
    """Through the set-up page, as a new reviewer would; returns her app and backup codes."""
    password_step(client, user.username)
    client.get(SET_UP)
    device = TOTPDevice.objects.get(user=user)
    codes = backup_codes_in(client.post(SET_UP, {"token": code_for(device)}).content.decode())
    client.logout()
    return device, codes


def test_a_backup_code_signs_in_once_in_place_of_the_app(client, required, reviewer, clock):
    _, codes = _set_up_with_backup_codes(client, reviewer)
    password_step(client, "rita")
    assert code_step(client, codes[0].upper())["Location"] == "/admin/"
    assert signed_in(client)
    assert client.get("/admin/desk/").status_code == 200
    client.logout()
    password_step(client, "rita")
    response = code_step(client, codes[0])
    assert "That code is not right" in response.content.decode()
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username="rita").failures_since_start == 1
    clock.shift(2)
    assert code_step(client, codes[1])["Location"] == "/admin/"


def test_new_backup_codes_replace_the_old_ones(client, required, reviewer, clock):
    device, old = _set_up_with_backup_codes(client, reviewer)
    clock.shift(30)
    sign_in_with_code(client, reviewer, device)
    new = backup_codes_in(client.post(reverse("admin:two_factor_backup_codes")).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.logout()
    password_step(client, "rita")
    assert code_step(client, old[0]).status_code == 200
    clock.shift(2)
    assert code_step(client, new[0])["Location"] == "/admin/"


def test_new_backup_codes_need_a_session_signed_in_with_a_code(client, offered, editor):
    client.force_login(editor)
    assert client.post(reverse("admin:two_factor_backup_codes")).status_code == 404


# -- no staff page without the code -------------------------------------------------------------


def _staff_urls(story):
    return [
        "/admin/",
        "/admin/desk/",
        "/admin/stories/story/",
        f"/admin/stories/story/{story.pk}/change/",
        f"/admin/stories/story/{story.pk}/revisions/",
        f"/preview/stories/{story.pk}/",
    ]


def _assert_no_staff_page(client, story):
    for url in _staff_urls(story):
        response = client.get(url)
        assert response.status_code in (302, 404), url
        if response.status_code == 302:
            assert response["Location"].startswith(LOGIN), url
        assert b"Embargoed" not in response.content
    response = client.post(
        f"/admin/stories/story/{story.pk}/share/", {"days": 3, "note": "for the lawyer"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not ShareLink.objects.exists()


def test_a_password_only_session_of_a_reviewer_opens_no_staff_page(client, required, reviewer):
    story = make_story("Embargoed merger", status=Status.IN_REVIEW)
    app_for(reviewer)
    # A session made without the code (force_login skips the sign-in views, like a session
    # from before the rule was turned on).
    client.force_login(reviewer)
    _assert_no_staff_page(client, story)
    assert not signed_in(client)


def test_a_reviewer_without_an_app_and_a_password_only_session_opens_nothing(
    client, required, reviewer
):
    story = make_story("Embargoed merger", status=Status.DRAFT)
    client.force_login(reviewer)
    _assert_no_staff_page(client, story)


def test_half_way_through_signing_in_opens_no_staff_page(client, required, reviewer):
    story = make_story("Embargoed merger", status=Status.DRAFT)
    app_for(reviewer)
    password_step(client, "rita")
    _assert_no_staff_page(client, story)


def test_the_same_session_after_the_code_opens_them(client, required, reviewer, clock):
    story = make_story("Embargoed merger", status=Status.IN_REVIEW)
    sign_in_with_code(client, reviewer, app_for(reviewer))
    for url in _staff_urls(story):
        assert client.get(url).status_code == 200, url


# -- who needs it, by the setting ---------------------------------------------------------------


def test_an_editor_signs_in_with_the_password_alone_when_reviewers_need_a_code(
    client, required, editor
):
    response = password_step(client, "erin")
    assert response["Location"] == "/admin/"
    assert signed_in(client)
    assert client.get("/admin/desk/").status_code == 200


def test_offered_asks_only_who_set_up_an_app(client, offered, reviewer, editor, clock):
    assert password_step(client, "rita")["Location"] == "/admin/"
    assert signed_in(client)
    client.logout()
    device = app_for(editor)
    assert password_step(client, "erin")["Location"] == CODE_STEP
    assert not signed_in(client)
    assert code_step(client, code_for(device))["Location"] == "/admin/"


def test_off_changes_nothing(client, settings, reviewer):
    settings.DIGEST_STAFF_2FA = "off"
    app_for(reviewer)
    response = password_step(client, "rita")
    assert response["Location"] == "/admin/"
    assert signed_in(client)
    assert client.get("/admin/desk/").status_code == 200
    assert "Two-factor sign-in" not in client.get("/admin/").content.decode()
    assert client.get(SET_UP).status_code == 404
    assert client.get(CODE_STEP).status_code == 404


# -- recovery -----------------------------------------------------------------------------------


def test_an_admin_resets_a_lost_app_and_the_reviewer_sets_up_a_new_one(
    client, required, admin_user, reviewer, clock
):
    rita_app = app_for(reviewer)
    rita = client.__class__()
    sign_in_with_code(rita, reviewer, rita_app)

    sign_in_with_code(client, admin_user, app_for(admin_user))
    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[rita_app.pk]))
    assert change.status_code == 200
    assert rita_app.key not in change.content.decode()  # admins never read a secret
    response = client.post(
        reverse("admin:otp_totp_totpdevice_delete", args=[rita_app.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=reviewer).exists()

    # Rita's session, verified by the removed app, is over; her next sign-in sets up a new one.
    assert rita.get("/admin/")["Location"].startswith(LOGIN)
    assert password_step(rita, "rita")["Location"] == SET_UP


def test_an_admin_who_lost_everything_gets_in_with_a_code_from_the_server(
    client, required, admin_user, clock
):
    """The last admin's way back in: `manage.py addstatictoken alice` on the server."""
    app_for(admin_user)
    out = StringIO()
    call_command("addstatictoken", "alice", stdout=out)
    password_step(client, "alice")
    assert code_step(client, out.getvalue().strip())["Location"] == "/admin/"
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 200


def test_an_editor_cannot_manage_anyones_app(client, required, editor, reviewer):
    device = app_for(reviewer)
    client.force_login(editor)
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_half_way_state_expires(client, required, reviewer, clock):
    device = app_for(reviewer)
    password_step(client, "rita")
    clock.shift(timedelta(minutes=11))
    assert client.get(CODE_STEP)["Location"] == LOGIN
    assert code_step(client, code_for(device))["Location"] == LOGIN
    assert not signed_in(client)


def test_the_right_code_is_refused_while_the_account_is_paused(client, required, reviewer, clock):
    device = app_for(reviewer)
    password_step(client, "rita")
    # Meanwhile someone guesses Rita's password from elsewhere until sign-ins pause.
    guesser = client.__class__()
    for n in range(5):
        password_step(guesser, "rita", password="guess", address=f"127.0.5.{n + 1}")
    response = code_step(client, code_for(device))
    assert response.status_code == 429
    assert not signed_in(client)


# -- cost -----------------------------------------------------------------------------------------


def _queries_for(client, url):
    client.get(url)  # warm: content types, permissions
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_what_the_check_costs_per_staff_request(client, settings, reviewer, editor, clock):
    """Off: nothing. Required: a session verified by a code loads its device (one query); an
    editor without an app is checked for an app and for the reviewers' group (two)."""
    settings.DIGEST_STAFF_2FA = "off"
    client.force_login(reviewer)
    off = _queries_for(client, "/admin/desk/")
    client.logout()
    settings.DIGEST_STAFF_2FA = "required"
    sign_in_with_code(client, reviewer, app_for(reviewer))
    assert _queries_for(client, "/admin/desk/") == off + 1
    client.logout()
    client.force_login(editor)
    settings.DIGEST_STAFF_2FA = "off"
    editor_off = _queries_for(client, "/admin/desk/")
    settings.DIGEST_STAFF_2FA = "required"
    assert _queries_for(client, "/admin/desk/") == editor_off + 2


# -- settings -----------------------------------------------------------------------------------


def _setting_under(settings_module, **env):
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environ.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "-c", _PRINT_SETTING],
        cwd=Path(__file__).resolve().parents[2],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


_PRINT_SETTING = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.DIGEST_STAFF_2FA, settings.DIGEST_2FA_REQUIRED_GROUPS)"
)
GOOD_SECRET = "q7Lw-2nX9vB4mZr8TfK1pYc6HdJ3sGa5UeN0oWiQ_xRtVbMy-e4Zk"


def test_production_requires_a_code_from_reviewers_and_admins_by_default():
    result = _setting_under("digest_site.settings.production", SECRET_KEY=GOOD_SECRET)
    assert result.stdout.strip() == "required ['Reviewers']", result.stderr


def test_development_keeps_the_demo_logins_password_only():
    assert _setting_under("digest_site.settings.dev").stdout.startswith("off ")


def test_a_mistyped_setting_refuses_to_start():
    result = _setting_under(
        "digest_site.settings.production", SECRET_KEY=GOOD_SECRET, DIGEST_STAFF_2FA="yes"
    )
    assert result.returncode != 0
    assert "DIGEST_STAFF_2FA='yes': use one of off, offered, required" in result.stderr
