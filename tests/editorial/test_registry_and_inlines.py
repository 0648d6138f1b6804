"""Four eyes on names in public use, and inline rows that need their own permissions."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from stories.models import Status
from tests.adminform import form_data
from tests.factories import make_company, make_story, make_topic

pytestmark = pytest.mark.django_db


def _topic_url(topic):
    return reverse("admin:companies_topic_change", args=[topic.pk])


def test_editor_renames_an_unused_topic(client, editor):
    topic = make_topic("Regulaton")
    client.force_login(editor)
    data = form_data(client.get(_topic_url(topic)), name="Regulation")
    assert client.post(_topic_url(topic), data).status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Regulation"


def test_editor_cannot_rename_a_topic_in_public_use(client, editor):
    topic = make_topic("Regulation", slug="regulation")
    make_story(status=Status.PUBLISHED, topics=[topic])
    client.force_login(editor)
    page = client.get(_topic_url(topic))
    assert 'name="name"' not in page.content.decode()
    data = form_data(page)
    data.update(name="Renamed", slug="renamed")
    client.post(_topic_url(topic), data)
    topic.refresh_from_db()
    assert (topic.name, topic.slug) == ("Regulation", "regulation")


def test_reviewer_renames_a_topic_in_public_use(client, reviewer):
    topic = make_topic("Regulaton")
    make_story(status=Status.PUBLISHED, topics=[topic])
    client.force_login(reviewer)
    data = form_data(client.get(_topic_url(topic)), name="Regulation")
    assert client.post(_topic_url(topic), data).status_code == 302
    topic.refresh_from_db()
    assert topic.name == "Regulation"


def test_sources_inline_needs_its_own_add_and_delete_permissions(client):
    """Chen may change stories but holds no permission on sources: the inline is read-only."""
    chen = User.objects.create_user("chen", password="x", is_staff=True)
    chen.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="stories", codename__in=["change_story", "view_story"]
        )
    )
    story = make_story(author=chen, companies=[make_company()])
    client.force_login(chen)
    url = reverse("admin:stories_story_change", args=[story.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="sources-0-publisher"' not in html  # shown read-only, if at all
    data = form_data(page, headline="Still editable")
    data.update(
        {
            "sources-TOTAL_FORMS": "2",
            "sources-INITIAL_FORMS": "1",
            "sources-0-id": str(story.sources.get().pk),
            "sources-0-story": str(story.pk),
            "sources-0-DELETE": "on",
            "sources-1-publisher": "Sneaky",
            "sources-1-url": "https://example.com/sneaky",
            "sources-1-position": "1",
        }
    )
    client.post(url, data)
    assert list(story.sources.values_list("publisher", flat=True)) == ["Publisher 1"]
