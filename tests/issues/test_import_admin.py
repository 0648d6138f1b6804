"""Importing a post from the issues admin: upload → preview → confirm, with the plan signed so
that Confirm creates exactly what the preview showed, and nothing before."""

import re
from pathlib import Path

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from editorial.models import Revision
from issues.models import Issue
from stories.models import Status, Story
from tests.factories import make_company, make_issue, make_platform

pytestmark = pytest.mark.django_db

POSTS = Path(__file__).resolve().parents[1] / "data" / "posts"
IMPORT_URL = "/admin/issues/issue/import/"


def upload(name):
    return SimpleUploadedFile(name, (POSTS / name).read_bytes(), content_type="text/markdown")


def signed_plan(response):
    match = re.search(r'name="plan" value="([^"]+)"', response.content.decode())
    assert match, "the preview has no confirm form"
    return match.group(1)


def test_editors_find_the_import_in_the_issue_list(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:issues_issue_changelist")).content.decode()
    assert f'href="{IMPORT_URL}"' in page
    assert client.get(IMPORT_URL).status_code == 200


def test_staff_without_the_rights_to_add_issues_and_stories_may_not_import(
    client, django_user_model
):
    clerk = django_user_model.objects.create_user("clerk", is_staff=True)
    client.force_login(clerk)
    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(IMPORT_URL, {"file": upload("markdown-headings.md")}).status_code == 403
    assert not Issue.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(IMPORT_URL)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_preview_shows_what_will_be_created_and_creates_nothing(client, editor):
    make_platform("TikTok", slug="tiktok", owner=make_company("ByteDance", slug="bytedance"))
    make_issue(number=30)
    client.force_login(editor)
    response = client.post(IMPORT_URL, {"file": upload("markdown-headings.md")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "issue <strong>#31</strong>" in page
    assert "Platform Week 12: Short Video Rules and Shopping Festivals" in page
    for headline in (
        "Regulators Question TikTok Over Teen Safety",
        "JD.com Says Festival Orders Hit a Record",
        "Baidu Opens Its Chatbot to Everyone",
    ):
        assert headline in page
    assert "/stories/regulators-question-tiktok-over-teen-safety/" in page
    assert "South China Morning Post" in page
    assert "none: add one before publishing" in page  # story 3 has no link
    assert "TikTok" in page.split("Suggested tags:")[1]
    assert "Create the drafts" in page
    assert Issue.objects.count() == 1
    assert not Story.objects.exists()


def test_confirm_creates_the_drafts_and_opens_the_new_issue(client, editor):
    client.force_login(editor)
    preview = client.post(IMPORT_URL, {"file": upload("sitebuilder-export.html")})
    response = client.post(IMPORT_URL, {"plan": signed_plan(preview)})
    issue = Issue.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:issues_issue_change", args=[issue.pk])
    assert issue.status == Status.DRAFT
    assert [e.story.headline for e in issue.entries.select_related("story")] == [
        "Alibaba Puts an Assistant in Taobao",
        "Meituan Launches a Chatbot Called Wow",
        "Regulators Publish Draft Rules for Generative AI",
    ]
    assert set(Story.objects.values_list("status", "author__username")) == {("draft", "erin")}
    assert Revision.objects.of(issue).get().note == "Imported from sitebuilder-export.html"


def test_pasted_text_imports_too(client, editor):
    client.force_login(editor)
    text = (POSTS / "markdown-bold-numbers.md").read_text()
    preview = client.post(IMPORT_URL, {"text": text, "number": "9"})
    assert "issue <strong>#9</strong>" in preview.content.decode()
    client.post(IMPORT_URL, {"plan": signed_plan(preview)})
    assert Issue.objects.get().number == 9
    assert Revision.objects.of(Issue.objects.get()).get().note == "Imported from pasted text"


def test_a_post_that_cannot_be_read_is_refused_with_its_reason(client, editor):
    client.force_login(editor)
    response = client.post(IMPORT_URL, {"file": upload("bad-gap.md")})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported." in page
    assert "after story 2 comes story 4 where 3 was expected" in page
    assert 'name="plan"' not in page
    assert not Issue.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the post&#x27;s file, or paste its text."),
        ({"text": "# T\n\n## 1. A\n\nText.", "file": "both"}, "Upload a file or paste the text"),
        ({"text": "x", "number": "0"}, "greater than or equal to 1"),
    ],
)
def test_form_mistakes_are_shown_on_the_form(client, editor, data, message):
    if data.get("file") == "both":
        data = {**data, "file": upload("markdown-headings.md")}
    client.force_login(editor)
    response = client.post(IMPORT_URL, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Issue.objects.exists()


@override_settings(DIGEST_UPLOAD_MAX_BYTES=2000)
def test_an_upload_over_the_limit_is_refused(client, editor):
    client.force_login(editor)
    big = SimpleUploadedFile("big.md", b"# Big\n\n## 1. A\n\n" + b"word " * 1000)
    response = client.post(IMPORT_URL, {"file": big})
    assert "posts may be at most 2,000 bytes" in response.content.decode()
    assert not Issue.objects.exists()


def test_an_altered_plan_is_refused(client, editor):
    client.force_login(editor)
    preview = client.post(IMPORT_URL, {"file": upload("markdown-headings.md")})
    token = signed_plan(preview)
    forged = signing.dumps({"plan": {"number": 1}, "user": editor.pk}, salt="someone-else")
    for plan in (token[:-3] + "abc", forged):
        response = client.post(IMPORT_URL, {"plan": plan})
        assert response.status_code == 200
        assert "was altered" in response.content.decode()
    assert not Issue.objects.exists()


def test_a_plan_previewed_by_someone_else_is_refused(client, editor, other_editor):
    client.force_login(editor)
    token = signed_plan(client.post(IMPORT_URL, {"file": upload("markdown-headings.md")}))
    client.force_login(other_editor)
    response = client.post(IMPORT_URL, {"plan": token})
    assert "made by someone else" in response.content.decode()
    assert not Issue.objects.exists()


def test_a_number_taken_after_the_preview_refuses_the_import(client, editor):
    client.force_login(editor)
    token = signed_plan(client.post(IMPORT_URL, {"file": upload("markdown-headings.md")}))
    make_issue(number=1, title="Someone else's")
    response = client.post(IMPORT_URL, {"plan": token})
    assert "Issue #1 was created by someone else" in response.content.decode()
    assert Issue.objects.count() == 1
    assert not Story.objects.exists()
