"""Signing up, confirming and unsubscribing through the pages, as readers do (test client)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from newsletter import sending, tokens
from newsletter.models import Subscriber
from tests.newsletter.conftest import subscribers
from tests.queue import queued, run_queued

pytestmark = pytest.mark.django_db


def _sign_up(client, email, address="203.0.113.7"):
    return client.post("/newsletter/", {"email": email}, REMOTE_ADDR=address)


def _confirm_link():
    [message] = [m for m in mail.outbox if "Confirm" in m.subject]
    return re.search(r"http://127\.0\.0\.1:8000(/newsletter/confirm/\S+/)", message.body)[1]


def _unsubscribe_path(subscriber):
    return f"/newsletter/unsubscribe/{tokens.unsubscribe_token(subscriber.pk, 1)}/"


def test_the_sign_up_page_has_one_form_filled_in_from_the_compact_one(client):
    page = client.get("/newsletter/", {"email": "ann@example.com"})
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert 'value="ann@example.com"' in page.text
    assert 'name="csrfmiddlewaretoken"' in page.text
    assert Subscriber.objects.count() == 0  # a GET subscribes nobody


def _settings_read(client):
    """A first page: each process reads the site settings once per page-cache epoch."""
    client.get("/")


def test_the_sign_up_page_runs_no_query(client, django_assert_num_queries):
    _settings_read(client)
    with django_assert_num_queries(0):
        client.get("/newsletter/")


def test_new_pending_and_subscribed_addresses_get_the_same_answer(client):
    subscribers("pending@example.com", status=Subscriber.Status.PENDING)
    subscribers("known@example.com")
    answers = [
        _sign_up(client, email, address=f"203.0.113.{n}")
        for n, email in enumerate(["new@example.com", "pending@example.com", "known@example.com"])
    ]
    assert {answer.status_code for answer in answers} == {200}
    assert len({answer.content for answer in answers}) == 1
    assert "Check your inbox" in answers[0].text
    # The request sent nothing; each queued the same job. The worker mails those who must
    # confirm, and tells a subscribed address nothing.
    assert mail.outbox == []
    assert queued("newsletter.send_confirmation").count() == 3
    run_queued()
    assert sorted(m.to[0] for m in mail.outbox) == ["new@example.com", "pending@example.com"]
    assert Subscriber.objects.get(email="known@example.com").status == "confirmed"


def test_a_sign_up_costs_the_same_queries_whatever_the_address(client, django_assert_num_queries):
    subscribers("known@example.com")
    subscribers("pending@example.com", status=Subscriber.Status.PENDING)
    # The rate counts are in the cache, not the database. Queries: savepoint, the upsert
    # (INSERT ... ON CONFLICT DO UPDATE), the UPDATE of status and link counter, the job's
    # INSERT, release: nothing that depends on whether the address was known.
    emails = ["new@example.com", "known@example.com", "pending@example.com"]
    _settings_read(client)
    for n, email in enumerate(emails):
        with django_assert_num_queries(5):
            _sign_up(client, email, address=f"203.0.113.{n}")


def test_an_address_is_one_row_whatever_its_spelling(client):
    _sign_up(client, "Ann@Example.COM", address="203.0.113.1")
    _sign_up(client, "ann@example.com", address="203.0.113.2")
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["ann@example.com"]


@pytest.mark.parametrize(
    "email",
    [
        "",
        "not-an-address",
        "ann@example.com\r\nBcc: everyone@example.com",
        "ann@example.com\nSubject: hello",
        "ann\x00@example.com",
        "ann @example.com",
        "a" * 250 + "@example.com",
    ],
)
def test_a_bad_address_is_refused_with_a_message_and_no_mail(client, email):
    answer = _sign_up(client, email)
    assert answer.status_code == 400
    assert 'class="errorlist"' in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert not Subscriber.objects.exists()
    assert queued().count() == 0


def test_one_address_gets_a_few_confirmation_emails_at_most(client, settings):
    settings.DIGEST_NEWSLETTER_ADDRESS_RATE = "3/h"
    answers = [_sign_up(client, "ann@example.com", address=f"198.51.100.{n}") for n in range(5)]
    # Asked five times from five places: the same answer each time, three emails queued.
    assert len({(answer.status_code, answer.content) for answer in answers}) == 1
    assert queued("newsletter.send_confirmation").count() == 3


def test_one_client_is_refused_above_its_rate(client, settings):
    settings.DIGEST_NEWSLETTER_CLIENT_RATE = "3/h"
    for n in range(3):
        assert _sign_up(client, f"reader{n}@example.com").status_code == 200
    refused = _sign_up(client, "reader9@example.com")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert not Subscriber.objects.filter(email="reader9@example.com").exists()
    assert queued("newsletter.send_confirmation").count() == 3
    # Another client is not affected.
    assert _sign_up(client, "reader9@example.com", address="192.0.2.1").status_code == 200


def test_the_confirmation_link_shows_a_button_and_only_a_post_confirms(client):
    _sign_up(client, "ann@example.com")
    run_queued()
    link = _confirm_link()
    page = client.get(link)
    assert page.status_code == 200
    assert "Yes, subscribe me" in page.text and "ann@example.com" in page.text
    assert page["Cache-Control"].startswith("no-store") or "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex"
    assert Subscriber.objects.get().status == "pending"
    done = client.post(link)
    assert "You are subscribed" in done.text
    ann = Subscriber.objects.get()
    assert ann.status == "confirmed" and ann.confirmed_at is not None


def test_a_confirmation_link_expires(client, settings):
    settings.DIGEST_NEWSLETTER_CONFIRM_HOURS = 72
    _sign_up(client, "ann@example.com")
    run_queued()
    link = _confirm_link()
    with time_machine.travel(timezone.now() + timedelta(hours=73)):
        answer = client.post(link)
    assert answer.status_code == 404
    assert "This link does not work" in answer.text
    assert Subscriber.objects.get().status == "pending"


def test_asking_again_makes_the_older_link_invalid(client):
    _sign_up(client, "ann@example.com", address="198.51.100.1")
    run_queued()
    old = _confirm_link()
    mail.outbox.clear()
    _sign_up(client, "ann@example.com", address="198.51.100.2")
    run_queued()
    new = _confirm_link()
    assert client.post(old).status_code == 404
    assert client.post(new).status_code == 200
    assert Subscriber.objects.get().status == "confirmed"


def test_forged_altered_or_borrowed_tokens_are_refused(client):
    [ann] = subscribers("ann@example.com", status=Subscriber.Status.PENDING)
    confirm = tokens.confirmation_token(ann)
    altered = confirm[:-2] + ("A" if confirm[-2] != "A" else "B") + confirm[-1]
    for path in [
        f"/newsletter/confirm/{altered}/",
        "/newsletter/confirm/not-a-token/",
        f"/newsletter/unsubscribe/{confirm}/",  # a confirmation token cannot unsubscribe
        f"/newsletter/confirm/{tokens.unsubscribe_token(ann.pk, 1)}/",
    ]:
        assert client.post(path).status_code == 404, path
    assert Subscriber.objects.get().status == "pending"


def test_the_unsubscribe_link_shows_a_button_that_is_neither_cached_nor_indexed(client):
    [ann] = subscribers("ann@example.com")
    page = client.get(_unsubscribe_path(ann))
    assert page.status_code == 200
    assert "Unsubscribe" in page.text and "ann@example.com" in page.text
    assert "no-store" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in page.text
    assert "X-Page-Cache" not in page
    assert Subscriber.objects.get().status == "confirmed"


def test_the_link_pages_run_one_query(client, django_assert_num_queries):
    [ann] = subscribers("ann@example.com", status=Subscriber.Status.PENDING)
    _settings_read(client)
    for path in [
        _unsubscribe_path(ann),
        f"/newsletter/confirm/{tokens.confirmation_token(ann)}/",
    ]:
        with django_assert_num_queries(1):  # the subscriber the token names
            assert client.get(path).status_code == 200


def test_one_click_unsubscribes_without_a_csrf_token():
    [ann] = subscribers("ann@example.com")
    client = Client(enforce_csrf_checks=True)
    answer = client.post(
        _unsubscribe_path(ann),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    ann.refresh_from_db()
    assert ann.status == "unsubscribed" and ann.unsubscribed_at is not None


def test_the_sign_up_form_needs_its_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert _sign_up(client, "ann@example.com").status_code == 403
    assert not Subscriber.objects.exists()


def test_coming_back_after_unsubscribing_needs_a_new_confirmation(client):
    [ann] = subscribers("ann@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    _sign_up(client, "ann@example.com")
    ann.refresh_from_db()
    assert ann.status == "pending"
    run_queued()
    assert client.post(_confirm_link()).status_code == 200
    ann.refresh_from_db()
    assert ann.status == "confirmed"


def test_unconfirmed_sign_ups_expire(client, settings):
    settings.DIGEST_NEWSLETTER_CONFIRM_HOURS = 72
    _sign_up(client, "ann@example.com", address="198.51.100.1")
    [back] = subscribers("back@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    Subscriber.objects.filter(pk=back.pk).update(confirmed_at=timezone.now() - timedelta(days=9))
    _sign_up(client, "back@example.com", address="198.51.100.2")
    subscribers("kept@example.com")
    assert sending.sweep(now=timezone.now() + timedelta(hours=71))[2] == 0
    sending.sweep(now=timezone.now() + timedelta(hours=73))
    assert dict(Subscriber.objects.values_list("email", "status")) == {
        "back@example.com": "unsubscribed",  # asked to come back, never confirmed
        "kept@example.com": "confirmed",
    }


def test_no_token_is_stored(client):
    _sign_up(client, "ann@example.com")
    run_queued()
    token = _confirm_link().split("/")[-2]
    ann = Subscriber.objects.get()
    stored = " ".join(str(value) for value in Subscriber.objects.values().get().values())
    assert token not in stored and token.split(":")[-1] not in stored
    assert tokens.unsubscribe_token(ann.pk, ann.link_version).split(":")[-1] not in stored


def test_issue_pages_carry_the_compact_form_and_stay_in_the_page_cache(client, reviewer):
    from tests.newsletter.conftest import issue_in_review, publish

    issue = publish(issue_in_review(), reviewer)
    first = client.get(issue.get_absolute_url())
    assert 'action="/newsletter/" method="get"' in first.text
    assert "csrfmiddlewaretoken" not in first.text
    assert not first.cookies
    assert first["X-Page-Cache"] == "miss"
    assert client.get(issue.get_absolute_url())["X-Page-Cache"] == "hit"
