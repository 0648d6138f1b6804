"""Two people saving the same web address or issue number at the same moment: the one who
loses the race gets a form error with their typing intact, not a 500.

The race is real: another connection inserts the same value and commits only after this
request's form has checked uniqueness and its INSERT is waiting on the database."""

import threading
import time

import pytest
from django.db import connections, transaction
from django.urls import reverse

from issues.models import Issue
from stories.models import Story
from tests.adminform import form_data
from tests.roles import ensure_roles

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _commit_later(create, ready):
    """In another connection: create the clashing row, then commit a second later."""
    try:
        with transaction.atomic():
            create()
            ready.set()
            time.sleep(1.0)
    finally:
        connections.close_all()


def _race(client, url, data, create):
    ready = threading.Event()
    other = threading.Thread(target=_commit_later, args=(create, ready))
    other.start()
    assert ready.wait(10)
    response = client.post(url, data)
    other.join(10)
    return response


def test_a_slug_taken_at_the_same_moment_is_a_form_error(client, editor):
    ensure_roles()
    client.force_login(editor)
    url = reverse("admin:stories_story_add")
    data = form_data(client.get(url), headline="Mine", slug="same-slug", summary="Typed with care.")
    response = _race(
        client, url, data, lambda: Story.objects.create(headline="Theirs", slug="same-slug")
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "already exists" in page
    assert "Typed with care." in page  # nothing typed is lost
    assert list(Story.objects.values_list("headline", flat=True)) == ["Theirs"]


def test_an_issue_number_taken_at_the_same_moment_is_a_form_error(client, editor):
    ensure_roles()
    client.force_login(editor)
    url = reverse("admin:issues_issue_add")
    data = form_data(client.get(url), number="12", title="My issue twelve")
    response = _race(client, url, data, lambda: Issue.objects.create(number=12, title="Theirs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "already exists" in page
    assert "My issue twelve" in page
    assert list(Issue.objects.values_list("title", flat=True)) == ["Theirs"]
