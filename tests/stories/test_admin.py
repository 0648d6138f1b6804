"""The story admin: workflow buttons, read-only once submitted, crafted POSTs, lost updates."""

import re
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from digest_site.twofactor import policy as two_factor
from editorial import preview, workflow
from editorial.models import ShareLink, Transition
from issues.models import Issue
from newsletter.models import Delivery, Subscriber
from sitesettings.models import SiteSettings
from stories.models import Company, Status, Story
from tests.adminform import form_data
from tests.factories import make_company, make_issue, make_platform, make_story, make_topic

pytestmark = pytest.mark.django_db


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def step_url(obj, step):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_step", args=[obj.pk, step])


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def _ready(status=Status.DRAFT, author=None, **kwargs):
    return make_story(status=status, author=author, companies=[make_company()], **kwargs)


# ---------------------------------------------------------------------------------------------
# Every page of every model


@pytest.fixture
def one_of_everything(client, admin_user, editor, reviewer, django_capture_on_commit_callbacks):
    # A failed and a successful sign-in: the throttling's records (django-axes) have pages too.
    login = reverse("admin:login")
    client.post(login, {"username": "nobody", "password": "wrong"}, REMOTE_ADDR="127.0.0.9")
    client.post(login, {"username": "erin", "password": "correct horse battery staple"})
    client.logout()
    company = make_company("Alibaba Group", name_zh="阿里巴巴集团", aliases=["BABA"])
    story = make_story(companies=[company], platforms=[make_platform()], topics=[make_topic()])
    issue = make_issue(stories=[story])
    # Submitting queues the reviewers' notification: the task queue's jobs have pages too.
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(story, by=editor)
    subscriber = Subscriber.objects.create(email="ann@example.com")
    Delivery.objects.create(issue=issue, subscriber=subscriber)
    preview.create_share_link(story, by=admin_user)
    # Two-factor devices have pages too: an admin resets a lost phone there.
    TOTPDevice.objects.create(user=editor, name="Erin's phone")
    two_factor.issue_backup_codes(editor)
    SiteSettings(name="Digest").save()


def test_every_admin_list_add_and_change_page_answers_200_for_a_superuser(
    client, admin_user, one_of_everything
):
    client.force_login(admin_user)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        # follow: the site settings' list goes straight to its one row.
        changelist = reverse(f"{name}_changelist")
        assert client.get(changelist, follow=True).status_code == 200, model
        assert client.get(changelist, {"q": "a"}, follow=True).status_code == 200, model
        if model_admin.has_add_permission(_request_for(admin_user)):
            assert client.get(reverse(f"{name}_add")).status_code == 200, model
        obj = model.objects.first()
        assert obj is not None, f"the fixture makes no {opts.model_name}"
        assert client.get(reverse(f"{name}_change", args=[obj.pk])).status_code == 200, model
        assert client.get(reverse(f"{name}_history", args=[obj.pk])).status_code == 200, model
        checked += 1
    assert checked >= 10


def _request_for(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_admin_list_answers_200_for_editors_and_reviewers(
    client, editor, reviewer, one_of_everything
):
    for user in (editor, reviewer):
        client.force_login(user)
        for model in (Story, Issue, Company):
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------------------------
# Buttons, steps, history


def test_editor_sees_only_submit_on_a_draft(client, editor):
    story = _ready(author=editor)
    client.force_login(editor)
    page = client.get(change_url(story)).content.decode()
    assert "Save and submit for review" in page
    assert "Save and publish" not in page
    assert "Request changes…" not in page
    assert "Unpublish" not in page
    assert reverse("story_preview", args=[story.pk]) in page


def test_reviewer_sees_review_buttons_on_a_story_in_review(client, reviewer, editor):
    story = _ready(Status.IN_REVIEW, author=editor)
    client.force_login(reviewer)
    page = client.get(change_url(story)).content.decode()
    assert 'name="_publish"' in page
    assert 'name="_schedule"' in page
    assert "Request changes…" in page
    assert 'name="_submit"' not in page
    assert "Unpublish" not in page


def test_reviewer_sees_no_publish_button_on_their_own_story(client, reviewer):
    story = _ready(Status.IN_REVIEW, author=reviewer)
    client.force_login(reviewer)
    page = client.get(change_url(story)).content.decode()
    assert "Publish now" not in page
    assert "Request changes…" in page


def test_submit_button_submits(client, editor):
    story = _ready(author=editor)
    client.force_login(editor)
    response = client.post(step_url(story, "submit"), follow=True)
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    assert any("submitted for review" in m for m in messages_of(response))


def test_a_step_by_get_changes_nothing(client, editor):
    story = _ready(author=editor)
    client.force_login(editor)
    assert client.get(step_url(story, "submit")).status_code == 302
    story.refresh_from_db()
    assert story.status == Status.DRAFT


def test_unknown_step_is_404(client, reviewer):
    story = _ready(Status.IN_REVIEW)
    client.force_login(reviewer)
    assert client.post(step_url(story, "delete_everything")).status_code == 404


def test_request_changes_asks_for_a_comment(client, reviewer, editor):
    story = _ready(Status.IN_REVIEW, author=editor)
    client.force_login(reviewer)
    form_page = client.get(step_url(story, "request_changes"))
    assert form_page.status_code == 200
    assert 'name="comment"' in form_page.content.decode()

    empty = client.post(step_url(story, "request_changes"), {"comment": "  "})
    assert empty.status_code == 200
    assert empty.context["form"].errors
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW

    client.post(step_url(story, "request_changes"), {"comment": "Which regulator? Name it."})
    story.refresh_from_db()
    assert story.status == Status.DRAFT
    assert workflow.history(story).get().comment == "Which regulator? Name it."


def test_editor_sees_the_review_comment_on_the_change_page(client, reviewer, editor):
    story = _ready(Status.IN_REVIEW, author=editor)
    workflow.request_changes(story, by=reviewer, comment="Add the Reuters source, please.")
    client.force_login(editor)
    page = client.get(change_url(story)).content.decode()
    assert "Add the Reuters source, please." in page
    assert "Request changes" in page
    assert "rita" in page


def test_schedule_asks_for_a_future_time(client, reviewer, editor):
    story = _ready(Status.IN_REVIEW, author=editor)
    client.force_login(reviewer)
    past = timezone.localtime() - timedelta(hours=1)
    response = client.post(
        step_url(story, "schedule"),
        {"at": past.strftime("%Y-%m-%dT%H:%M"), "revision": story.latest_revision_id},
    )
    assert response.status_code == 200
    assert "already passed" in response.content.decode()
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW

    future = timezone.localtime() + timedelta(days=2)
    response = client.post(
        step_url(story, "schedule"),
        {"at": future.strftime("%Y-%m-%dT%H:%M"), "revision": story.latest_revision_id},
        follow=True,
    )
    story.refresh_from_db()
    assert story.is_scheduled
    assert any("scheduled for" in m for m in messages_of(response))
    assert "Scheduled for" in client.get(change_url(story)).content.decode()


def test_publish_refusal_lists_what_is_missing(client, reviewer, editor):
    story = make_story(status=Status.IN_REVIEW, author=editor, sources=0)
    client.force_login(reviewer)
    response = client.post(step_url(story, "publish"), {"revision": ""}, follow=True)
    assert response.status_code == 200  # the confirmation needs the revision the reviewer saw
    response = client.post(
        step_url(story, "publish"), {"revision": story.latest_revision_id}, follow=True
    )
    [message] = messages_of(response)
    assert "it needs at least one source; it needs at least one company" in message
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW


def test_status_badges_and_scheduled_time_in_the_list(client, reviewer):
    _ready(Status.IN_REVIEW, headline="Waiting one")
    _ready(Status.PUBLISHED, published_at=timezone.now() + timedelta(days=1), headline="Later one")
    client.force_login(reviewer)
    page = client.get(reverse("admin:stories_story_changelist")).content.decode()
    assert "wf-badge wf-in_review" in page
    assert re.search(r"Scheduled for \d+ \w+ \d{4}, \d\d:\d\d", page)


def test_desk_filters_are_one_click_away(client, editor, other_editor, reviewer):
    mine = _ready(author=editor, headline="Erin's draft")
    _ready(author=other_editor, headline="Ed's draft")
    sent_back = _ready(Status.IN_REVIEW, author=editor, headline="Sent back")
    workflow.request_changes(sent_back, by=reviewer, comment="Shorter, please.")
    _ready(Status.IN_REVIEW, headline="Waiting")
    client.force_login(editor)
    url = reverse("admin:stories_story_changelist")
    page = client.get(url).content.decode()
    assert "?desk=mine" in page and "?desk=changes_requested" in page
    assert "?desk=awaiting_review" in page

    def headlines(desk):
        return {s.headline for s in client.get(url, {"desk": desk}).context["cl"].result_list}

    assert headlines("mine") == {mine.headline, "Sent back"}
    assert headlines("changes_requested") == {"Sent back"}
    assert headlines("awaiting_review") == {"Waiting"}


# ---------------------------------------------------------------------------------------------
# Editors cannot change status or published_at by any route


def test_editor_add_form_ignores_crafted_status(client, editor):
    company = make_company()
    client.force_login(editor)
    data = form_data(client.get(reverse("admin:stories_story_add")))
    data.update(
        headline="Crafted",
        slug="crafted",
        summary="S",
        companies=[str(company.pk)],
        status="published",
        published_at="2020-01-01 10:00",
        author="1",
        version="99",
    )
    response = client.post(reverse("admin:stories_story_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Story.objects.get(slug="crafted")
    assert (story.status, story.published_at, story.author, story.version) == (
        Status.DRAFT,
        None,
        editor,
        1,
    )


def test_editor_change_form_ignores_crafted_status(client, editor):
    story = _ready(author=editor)
    client.force_login(editor)
    data = form_data(client.get(change_url(story)), headline="Edited")
    data.update(status="published", published_at="2020-01-01 10:00")
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Edited"
    assert (story.status, story.published_at) == (Status.DRAFT, None)
    assert not Story.objects.published().exists()


def test_story_in_review_is_read_only_for_editors(client, editor):
    story = _ready(Status.IN_REVIEW, author=editor, headline="Frozen")
    client.force_login(editor)
    page = client.get(change_url(story))
    assert page.status_code == 200
    assert 'name="headline"' not in page.content.decode()
    assert "only reviewers can change it now" in page.content.decode()
    response = client.post(change_url(story), {"headline": "Changed", "status": "published"})
    assert response.status_code == 403
    story.refresh_from_db()
    assert (story.headline, story.status) == ("Frozen", Status.IN_REVIEW)


def test_editor_edit_of_a_published_story_waits_in_a_revision(client, editor):
    story = _ready(Status.PUBLISHED, author=editor, headline="Out")
    client.force_login(editor)
    data = form_data(client.get(change_url(story)), headline="Changed")
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    assert story.headline == "Out"  # readers keep the published text
    assert story.pending_status == Status.DRAFT
    assert story.latest_revision.content["fields"]["headline"] == "Changed"
    assert story.latest_revision.created_by == editor
    # The form shows the newest text, not the public one.
    assert 'value="Changed"' in client.get(change_url(story)).content.decode()


def test_submitted_story_is_read_only_for_editors(client, editor):
    story = _ready(Status.IN_REVIEW, author=editor, headline="Sent")
    client.force_login(editor)
    assert client.post(change_url(story), {"headline": "Changed"}).status_code == 403
    story.refresh_from_db()
    assert story.headline == "Sent"


def test_editor_save_as_new_makes_a_draft(client, editor, reviewer):
    story = _ready(author=editor, slug="original")
    client.force_login(editor)
    data = form_data(client.get(change_url(story)), slug="copy", _saveasnew="Save as new")
    data.update(status="published", published_at="2020-01-01 10:00")
    client.post(change_url(story), data)
    copy = Story.objects.get(slug="copy")
    assert (copy.status, copy.published_at, copy.author) == (Status.DRAFT, None, editor)


def test_editor_save_as_new_on_a_published_story_is_a_draft_too(client, editor, reviewer):
    story = _ready(Status.PUBLISHED, author=reviewer, slug="live")
    client.force_login(editor)
    page = client.get(change_url(story))
    # The page is read-only, so the crafted POST supplies the fields itself.
    data = form_data(
        page,
        headline="Copy",
        slug="live-copy",
        event_date="2026-11-01",
        _saveasnew="Save as new",
        status="published",
    )
    client.post(change_url(story), data)
    assert Story.objects.published().get().slug == "live"
    assert Story.objects.get(slug="live-copy").status == Status.DRAFT


def test_crafted_list_editable_post_changes_nothing(client, editor):
    story = _ready(author=editor)
    client.force_login(editor)
    client.post(
        reverse("admin:stories_story_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(story.pk),
            "form-0-status": "published",
            "form-0-published_at": "2020-01-01 10:00",
            "_save": "Save",
        },
    )
    story.refresh_from_db()
    assert (story.status, story.published_at) == (Status.DRAFT, None)


def test_editor_cannot_publish_through_the_bulk_action(client, editor, other_editor):
    story = _ready(Status.IN_REVIEW, author=other_editor)
    client.force_login(editor)
    actions = client.get(reverse("admin:stories_story_changelist")).context["action_form"]
    assert "publish_selected" not in [value for value, _ in actions.fields["action"].choices]
    client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "publish_selected", "_selected_action": [str(story.pk)]},
    )
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    assert not Transition.objects.exists()


def test_editor_cannot_publish_through_the_step_url(client, editor, other_editor):
    story = _ready(Status.IN_REVIEW, author=other_editor)
    client.force_login(editor)
    response = client.post(step_url(story, "publish"), follow=True)
    assert any("Only reviewers" in m for m in messages_of(response))
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW


def test_history_pages_are_read_only(client, editor):
    story = _ready(author=editor)
    client.force_login(editor)
    history = reverse("admin:stories_story_history", args=[story.pk])
    assert client.get(history).status_code == 200
    client.post(history, {"status": "published"})
    story.refresh_from_db()
    assert story.status == Status.DRAFT


# ---------------------------------------------------------------------------------------------
# Bulk actions: all or nothing


def test_bulk_submit_is_all_or_nothing_with_a_message_naming_the_failure(client, editor):
    draft = _ready(author=editor, headline="Fine draft")
    stuck = _ready(Status.PUBLISHED, author=editor, headline="Already out")
    client.force_login(editor)
    response = client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "submit_selected", "_selected_action": [str(draft.pk), str(stuck.pk)]},
        follow=True,
    )
    [message] = messages_of(response)
    assert "Nothing was changed" in message
    assert "Already out" in message
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert not Transition.objects.exists()


def test_bulk_publish_is_not_offered_because_a_list_is_not_a_review(client, reviewer, editor):
    story = _ready(Status.IN_REVIEW, author=editor)
    client.force_login(reviewer)
    page = client.get(reverse("admin:stories_story_changelist")).content.decode()
    assert "publish_selected" not in page
    response = client.post(
        reverse("admin:stories_story_changelist"),
        {"action": "publish_selected", "_selected_action": [str(story.pk)]},
        follow=True,
    )
    assert not Story.objects.published().exists()
    assert response.status_code == 200


def test_reviewer_correction_of_a_published_story_needs_another_reviewer(client, reviewer, editor):
    story = _ready(Status.PUBLISHED, author=editor, headline="Typo in headlne")
    published_at = story.published_at
    client.force_login(reviewer)
    data = form_data(client.get(change_url(story)), headline="Typo in headline")
    assert client.post(change_url(story), data).status_code == 302
    story.refresh_from_db()
    # Not public until another reviewer publishes it (four eyes on every path).
    assert story.headline == "Typo in headlne"
    assert (story.status, story.published_at) == (Status.PUBLISHED, published_at)
    assert story.pending_status == Status.DRAFT
    assert story.latest_revision.created_by == reviewer
    workflow.submit(story, by=reviewer)
    with pytest.raises(workflow.NotAllowed):
        workflow.publish(story, by=reviewer, revision=story.latest_revision_id)


def test_lost_update_is_refused_and_both_versions_survive(client, editor, other_editor):
    story = _ready(author=editor, summary="Original summary.")
    client.force_login(editor)
    erin_data = form_data(client.get(change_url(story)), summary="Erin's summary.")

    # Ed opens the same story and saves first.
    client.force_login(other_editor)
    ed_data = form_data(client.get(change_url(story)), summary="Ed's summary.")
    assert client.post(change_url(story), ed_data).status_code == 302

    client.force_login(editor)
    response = client.post(change_url(story), erin_data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else saved this story after you opened it" in page
    assert "Erin&#x27;s summary." in page  # her input is still on the page
    story.refresh_from_db()
    assert story.summary == "Ed's summary."
    assert story.version == 2


def test_a_transition_after_opening_the_form_also_refuses_the_save(client, editor, reviewer):
    story = _ready(author=editor)
    client.force_login(reviewer)
    data = form_data(client.get(change_url(story)), headline="Reviewer's edit")
    workflow.submit(story, by=editor)
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    assert "Someone else saved" in response.content.decode()
    story.refresh_from_db()
    assert story.headline != "Reviewer's edit"


def test_missing_version_is_refused_not_a_500(client, editor):
    story = _ready(author=editor, headline="Kept")
    client.force_login(editor)
    data = form_data(client.get(change_url(story)), headline="Changed")
    data.pop("loaded_version")
    assert client.post(change_url(story), data).status_code == 200
    story.refresh_from_db()
    assert story.headline == "Kept"


def test_image_without_alt_text_is_refused_in_the_form(client, editor):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (1, 1)).save(png, format="PNG")
    story = _ready(author=editor)
    client.force_login(editor)
    data = form_data(client.get(change_url(story)))
    data["image"] = SimpleUploadedFile("pic.png", png.getvalue(), content_type="image/png")
    response = client.post(change_url(story), data)
    assert response.status_code == 200
    assert "Describe the image" in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Search, autocomplete, deletion


def test_company_search_finds_chinese_names_and_aliases(client, editor):
    alibaba = make_company("Alibaba Group", name_zh="阿里巴巴集团", aliases=["BABA", "9988.HK"])
    make_company("Tencent", name_zh="腾讯", aliases=["TCEHY"])
    client.force_login(editor)
    url = reverse("admin:companies_company_changelist")
    for term in ("阿里巴巴", "baba", "9988.hk", "Alibaba"):
        found = list(client.get(url, {"q": term}).context["cl"].result_list)
        assert found == [alibaba], term


def test_story_search_finds_stories_by_company_alias_and_chinese_name(client, editor):
    douyin = make_platform("Douyin", aliases=["抖音"])
    story = make_story(
        "Short video rules",
        companies=[make_company("ByteDance", name_zh="字节跳动", aliases=["Toutiao"])],
        platforms=[douyin],
    )
    make_story("Unrelated")
    client.force_login(editor)
    url = reverse("admin:stories_story_changelist")
    for term in ("字节跳动", "toutiao", "抖音", "Short video"):
        assert list(client.get(url, {"q": term}).context["cl"].result_list) == [story], term


def test_company_autocomplete_works_for_editors(client, editor):
    make_company("Pinduoduo", name_zh="拼多多", aliases=["PDD"])
    client.force_login(editor)
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "PDD", "app_label": "stories", "model_name": "story", "field_name": "companies"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Pinduoduo"]


def test_deleting_a_used_company_in_the_admin_is_refused_naming_the_stories(client, admin_user):
    company = make_company("Meituan")
    make_story("Meituan drones take off", companies=[company])
    client.force_login(admin_user)
    url = reverse("admin:companies_company_delete", args=[company.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Meituan drones take off" in page.content.decode()
    assert "Yes, I’m sure" not in page.content.decode()
    response = client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Company.objects.filter(pk=company.pk).exists()


def test_bulk_deleting_used_topics_is_refused_naming_the_stories(client, admin_user):
    topic, unused = make_topic("Regulation"), make_topic("Unused")
    make_story("New antitrust guidance", topics=[topic])
    client.force_login(admin_user)
    url = reverse("admin:companies_topic_changelist")
    data = {"action": "delete_selected", "_selected_action": [str(topic.pk), str(unused.pk)]}
    page = client.post(url, data)
    assert page.status_code == 200
    assert "New antitrust guidance" in page.content.decode()
    client.post(url, {**data, "post": "yes"})
    assert topic.__class__.objects.count() == 2


def test_a_race_past_the_confirmation_page_gets_a_message_not_a_500(
    client, admin_user, monkeypatch
):
    from companies.admin import CompanyAdmin

    company = make_company("Baidu")
    make_story("Ernie bot update", companies=[company])
    # Pretend the confirmation page was shown before the story was tagged.
    monkeypatch.setattr(
        CompanyAdmin,
        "get_deleted_objects",
        lambda self, objs, request: ([str(o) for o in objs], {}, set(), []),
    )
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:companies_company_delete", args=[company.pk]), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert any("Ernie bot update" in m for m in messages_of(response))
    assert Company.objects.filter(pk=company.pk).exists()


# ---------------------------------------------------------------------------------------------
# Share links from the admin


def test_reviewer_creates_and_revokes_a_share_link(client, reviewer, editor):
    story = _ready(author=editor, headline="Shared draft")
    client.force_login(reviewer)
    share = reverse("admin:stories_story_share", args=[story.pk])
    assert client.get(share).status_code == 200
    response = client.post(share, {"days": "3", "note": "For our lawyer"}, follow=True)
    [message] = messages_of(response)
    token_url = re.search(r'href="(http://testserver/share/[^"]+/)"', message).group(1)
    link = ShareLink.objects.get()
    assert link.note == "For our lawyer"
    assert link.expires_at - timezone.now() > timedelta(days=2, hours=23)
    assert link.content_type == ContentType.objects.get_for_model(Story)

    client.logout()
    assert "Shared draft" in client.get(token_url).content.decode()

    client.force_login(reviewer)
    client.post(reverse("admin:stories_story_revoke_share", args=[story.pk, link.pk]))
    client.logout()
    assert client.get(token_url).status_code == 404


def test_editor_cannot_create_share_links(client, editor):
    story = _ready(author=editor)
    client.force_login(editor)
    assert client.post(reverse("admin:stories_story_share", args=[story.pk])).status_code == 403
    assert not ShareLink.objects.exists()


def test_help_texts_show_their_placeholders(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:stories_story_add")).content.decode()
    assert "/stories/this-part/" in page


def test_reviewer_correction_of_sources_waits_in_a_revision(client, reviewer, editor):
    story = _ready(Status.PUBLISHED, author=editor)
    client.force_login(reviewer)
    data = form_data(client.get(change_url(story)))
    data["sources-0-publisher"] = "Caixin"
    assert client.post(change_url(story), data).status_code == 302
    assert story.sources.get().publisher == "Publisher 1"  # public rows untouched
    story.refresh_from_db()
    [source] = story.latest_revision.content["children"]["sources"]
    assert source["publisher"] == "Caixin"


def test_editor_opening_the_request_changes_form_is_turned_away(client, editor, other_editor):
    story = _ready(Status.IN_REVIEW, author=other_editor)
    client.force_login(editor)
    response = client.get(step_url(story, "request_changes"), follow=True)
    assert response.redirect_chain[-1][0] == change_url(story)
    assert any("Only reviewers" in m for m in messages_of(response))


def test_view_on_site_opens_the_preview_until_the_story_is_public(client, editor, reviewer):
    story = _ready(Status.IN_REVIEW, author=editor)
    client.force_login(reviewer)

    def view_on_site():
        page = client.get(change_url(story)).content.decode()
        return re.search(r'href="([^"]+)" class="viewsitelink"', page).group(1)

    assert view_on_site() == reverse("story_preview", args=[story.pk])
    workflow.publish(story, by=reviewer)
    assert view_on_site() == f"/stories/{story.slug}/"


def test_reviewer_shares_an_issue_preview(client, reviewer):
    issue = make_issue(stories=[make_story("Kuaishou adds mini dramas")], title="Week 50")
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:issues_issue_share", args=[issue.pk]), {"days": "7"}, follow=True
    )
    [message] = messages_of(response)
    token_url = re.search(r'href="http://testserver(/share/[^"]+/)"', message).group(1)
    client.logout()
    shared = client.get(token_url)
    assert shared.status_code == 200
    assert "Kuaishou adds mini dramas" in shared.content.decode()


def test_the_transition_log_is_read_only_even_for_superusers(client, admin_user, editor):
    story = _ready(author=editor)
    workflow.submit(story, by=editor)
    transition = Transition.objects.get()
    client.force_login(admin_user)
    change = reverse("admin:editorial_transition_change", args=[transition.pk])
    assert 'name="comment"' not in client.get(change).content.decode()
    assert client.post(change, {"comment": "rewritten", "action": "publish"}).status_code == 403
    delete = reverse("admin:editorial_transition_delete", args=[transition.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:editorial_transition_add")).status_code == 403
    transition.refresh_from_db()
    assert (transition.action, transition.comment) == ("submit", "")
