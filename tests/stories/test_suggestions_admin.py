"""Suggested tags on the story form: the staff-only JSON endpoint, and dismissals kept per story."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from companies.suggest import forget_matcher
from stories.models import DismissedSuggestion, Status
from tests.adminform import change_url, form_data
from tests.factories import make_company, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db

SUGGESTIONS = reverse("admin:stories_story_suggestions")


@pytest.fixture(autouse=True)
def registry():
    forget_matcher()
    bytedance = make_company("ByteDance", slug="bytedance", name_zh="字节跳动")
    make_platform("TikTok", slug="tiktok", owner=bytedance)
    make_topic("Regulation", slug="regulation", keywords=["regulator", "ban"])
    yield
    forget_matcher()


def ask(client, **text):
    return client.post(SUGGESTIONS, text)


class TestEndpoint:
    def test_an_editor_gets_the_suggestions_with_their_evidence(self, client, editor):
        client.force_login(editor)
        response = ask(client, headline="TikTok faces a ban", summary="", body="字节跳动 said no.")
        assert response.status_code == 200
        items = response.json()["suggestions"]
        assert [(i["kind"], i["slug"], i["where"]) for i in items] == [
            ("platform", "tiktok", "headline"),
            ("company", "bytedance", "body"),
            ("topic", "regulation", "headline"),
        ]
        assert items[0]["name"] == "TikTok" and isinstance(items[0]["pk"], int)

    def test_the_summary_counts_as_text(self, client, editor):
        client.force_login(editor)
        items = ask(client, headline="", summary="ByteDance answers", body="").json()
        assert [i["slug"] for i in items["suggestions"]] == ["bytedance"]

    def test_a_get_is_refused(self, client, editor):
        client.force_login(editor)
        assert client.get(SUGGESTIONS, {"headline": "TikTok"}).status_code == 405

    def test_anonymous_visitors_are_sent_to_sign_in(self, client):
        response = ask(client, headline="TikTok")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]

    def test_staff_who_may_not_write_stories_are_refused(self, client):
        clerk = User.objects.create_user("clerk", password="x", is_staff=True)
        client.force_login(clerk)
        assert ask(client, headline="TikTok").status_code == 403

    def test_text_too_long_gets_a_clear_400(self, client, editor):
        client.force_login(editor)
        response = ask(client, headline="TikTok " * 500)
        assert response.status_code == 400
        assert "headline" in response.json()["errors"]


class TestForm:
    def test_the_add_form_carries_the_panel_and_its_script(self, client, editor):
        client.force_login(editor)
        page = client.get(reverse("admin:stories_story_add")).content.decode()
        assert 'id="story-suggestions"' in page
        assert f'data-url="{SUGGESTIONS}"' in page
        assert "stories/suggestions.js" in page
        assert 'name="dismissed_suggestions"' in page

    def test_dismissals_are_saved_with_the_story_and_come_back_in_the_form(self, client, editor):
        story = make_story(author=editor)
        tiktok = story.platforms.model.objects.get(slug="tiktok")
        client.force_login(editor)
        data = form_data(
            client.get(change_url(story)), dismissed_suggestions=f"platform:{tiktok.pk}"
        )
        assert client.post(change_url(story), data).status_code == 302
        row = DismissedSuggestion.objects.get(story=story)
        assert (row.kind, row.entity_id, row.dismissed_by) == ("platform", tiktok.pk, editor)
        page = client.get(change_url(story))
        assert page.context["adminform"].form["dismissed_suggestions"].value() == (
            f"platform:{tiktok.pk}"
        )

    def test_a_garbled_dismissal_list_is_refused_and_nothing_is_saved(self, client, editor):
        story = make_story(author=editor, headline="Before")
        client.force_login(editor)
        data = form_data(
            client.get(change_url(story)),
            headline="After",
            dismissed_suggestions="platform:1,<script>",
        )
        response = client.post(change_url(story), data)
        assert response.status_code == 200
        assert "dismissed suggestions was garbled" in response.content.decode()
        story.refresh_from_db()
        assert story.headline == "Before"
        assert not DismissedSuggestion.objects.exists()

    def test_a_read_only_story_shows_no_suggestions(self, client, editor):
        story = make_story(author=editor, status=Status.IN_REVIEW)
        client.force_login(editor)
        response = client.get(change_url(story))
        assert response.status_code == 200
        assert 'id="story-suggestions"' not in response.content.decode()
