"""Share links: one outside reader, one unpublished story or issue, for a limited time."""

import hashlib
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from editorial import preview
from editorial.models import ShareLink
from stories.models import Status
from tests.factories import make_issue, make_story

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return make_story("Douyin caps minors' screen time", status=Status.DRAFT)


def share(obj, by, **kwargs):
    _, token = preview.create_share_link(obj, by=by, **kwargs)
    return token, reverse("share", args=[token])


def unknown_404(client):
    response = client.get("/share/never-issued-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/")
    assert response.status_code == 404
    return response.content


def test_a_valid_link_shows_the_draft_to_anyone(client, reviewer, draft):
    _, url = share(draft, reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    page = response.content.decode()
    assert "Douyin caps minors&#x27; screen time" in page
    assert "Preview — not published" in page


def test_a_link_opens_an_issue_with_its_drafts(client, reviewer, draft):
    issue = make_issue(stories=[draft], title="Week 49")
    _, url = share(issue, reviewer)
    response = client.get(url)
    assert response.status_code == 200
    assert "Douyin caps minors&#x27; screen time" in response.content.decode()


def test_only_a_hash_of_the_token_is_stored(reviewer, draft):
    token, _ = share(draft, reviewer)
    link = ShareLink.objects.get()
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in link.token_hash
    # secrets.token_urlsafe(32): 256 random bits.
    assert len(token) >= 43


def test_links_expire_after_the_default_seven_days(client, reviewer, draft, settings):
    assert settings.DIGEST_SHARE_LINK_DAYS == 7
    _, url = share(draft, reviewer)
    gone = unknown_404(client)
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=7, seconds=1)):
        response = client.get(url)
        assert response.status_code == 404
        assert response.content == gone


def test_a_revoked_link_is_404(client, reviewer, draft):
    _, url = share(draft, reviewer)
    preview.revoke(ShareLink.objects.get())
    response = client.get(url)
    assert response.status_code == 404
    assert response.content == unknown_404(client)


def test_a_tampered_link_is_404(client, reviewer, draft):
    token, _ = share(draft, reviewer)
    flipped = ("A" if token[0] != "A" else "B") + token[1:]
    for bad in (flipped, token[:-1], token + "x", token.upper(), "x" * 5000):
        response = client.get(f"/share/{bad}/")
        assert response.status_code == 404, bad[:10]
        assert response.content == unknown_404(client)


def test_a_link_opens_its_own_object_and_no_other(client, reviewer, draft):
    other = make_story("Another draft, not shared", status=Status.DRAFT)
    _, url = share(draft, reviewer)
    page = client.get(url).content.decode()
    assert "Douyin caps" in page
    assert "Another draft, not shared" not in page
    # The link cannot be pointed at another object: the address holds only the token.
    assert client.get(url + f"?pk={other.pk}").content.decode().count("Another draft") == 0


def test_a_link_to_a_deleted_story_is_404(client, reviewer, draft):
    _, url = share(draft, reviewer)
    draft.delete()
    assert client.get(url).status_code == 404


def test_a_link_to_something_other_than_a_story_or_issue_is_404(client, reviewer):
    token, url = share(reviewer, reviewer)  # a link whose target is a user account
    assert client.get(url).status_code == 404


def test_share_links_are_read_only(client, reviewer, draft):
    _, url = share(draft, reviewer)
    response = client.post(url, {"headline": "Changed"})
    draft.refresh_from_db()
    assert draft.headline == "Douyin caps minors' screen time"
    assert response.status_code in (403, 405)
