"""Staff preview drafts in the public design; nobody else learns they exist."""

import pytest
from django.urls import reverse

from stories.models import Status
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


def _unknown_404(client):
    return client.get("/this-address-never-existed/")


def assert_preview(response, *texts):
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Robots-Tag"] == "noindex"
    page = response.content.decode()
    assert "Preview — not published" in page
    for text in texts:
        assert text in page


@pytest.mark.parametrize("status", Status.values)
def test_editors_and_reviewers_preview_a_story_in_any_state(client, editor, reviewer, status):
    story = make_story("Taobao trials AI returns", status=status, companies=[make_company()])
    for user in (editor, reviewer):
        client.force_login(user)
        assert_preview(
            client.get(reverse("story_preview", args=[story.pk])), "Taobao trials AI returns"
        )


def test_issue_preview_shows_its_unpublished_stories(client, reviewer):
    draft = make_story("JD.com cuts delivery fees", status=Status.DRAFT)
    in_review = make_story("Pinduoduo's Temu opens in Japan", status=Status.IN_REVIEW)
    issue = make_issue(stories=[draft, in_review], title="Week 48")
    client.force_login(reviewer)
    assert_preview(
        client.get(reverse("issue_preview", args=[issue.pk])),
        "JD.com cuts delivery fees",
        "Pinduoduo&#x27;s Temu opens in Japan",
    )


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_outsiders_get_the_same_404_as_an_unknown_address(client, request, who):
    if who == "reader":
        client.force_login(request.getfixturevalue("reader"))
    story = make_story("Secret draft", status=Status.DRAFT)
    issue = make_issue(stories=[story])
    unknown = _unknown_404(client)
    for url in (
        reverse("story_preview", args=[story.pk]),
        reverse("issue_preview", args=[issue.pk]),
        f"/stories/{story.slug}/",
        f"/issues/{issue.number}/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.content == unknown.content, url
        assert "Secret draft" not in response.content.decode()


def test_preview_of_a_missing_story_is_404(client, editor):
    client.force_login(editor)
    assert client.get(reverse("story_preview", args=[999999])).status_code == 404
    assert client.get("/preview/stories/not-a-number/").status_code == 404


def test_staff_without_story_rights_cannot_preview(client, django_user_model):
    intern = django_user_model.objects.create_user("ivy", is_staff=True)
    story = make_story(status=Status.DRAFT)
    client.force_login(intern)
    assert client.get(reverse("story_preview", args=[story.pk])).status_code == 404
