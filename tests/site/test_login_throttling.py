"""Password guessing is refused: after five failed sign-ins for one account, or from one
address, sign-ins are paused for a while, the right password included. Erin is an editor."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
RIGHT = "correct horse battery staple"


def _sign_in(client, username, password, address="127.0.0.2"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def _signed_in(client):
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_pause_the_account_even_for_the_right_one(client, editor):
    for _ in range(4):
        assert _sign_in(client, "erin", "guess").status_code == 200  # the form, with an error
    assert _sign_in(client, "erin", "guess").status_code == 429  # the fifth pauses sign-ins
    response = _sign_in(client, "erin", RIGHT)
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert not _signed_in(client)


def test_the_account_is_paused_whatever_address_the_guesses_come_from(client, editor):
    for n in range(5):
        _sign_in(client, "erin", "guess", address=f"127.0.1.{n + 1}")
    assert _sign_in(client, "erin", RIGHT, address="127.0.2.1").status_code == 429
    assert not _signed_in(client)


def test_an_address_guessing_many_accounts_is_paused(client, editor, reviewer):
    for name in ("anna", "bob", "carl", "dora", "emil"):
        _sign_in(client, name, "guess", address="127.0.3.1")
    assert _sign_in(client, "rita", RIGHT, address="127.0.3.1").status_code == 429
    assert not _signed_in(client)
    # Rita herself, from her own address, still gets in.
    assert _sign_in(client, "rita", RIGHT, address="127.0.3.2").status_code == 302
    assert _signed_in(client)


def test_the_pause_ends_after_the_cooloff(client, editor):
    for _ in range(5):
        _sign_in(client, "erin", "guess")
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert _sign_in(client, "erin", RIGHT).status_code == 302
        assert _signed_in(client)


def test_a_few_typos_do_not_pause_anyone(client, editor):
    for _ in range(4):
        _sign_in(client, "erin", "typo")
    assert _sign_in(client, "erin", RIGHT).status_code == 302
    assert _signed_in(client)
