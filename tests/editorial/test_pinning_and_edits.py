"""Edge cases of revisions found in review: nothing an editor typed is dropped, nothing a
reviewer did not see goes out, and workflow bookkeeping does not touch public dates."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.db.models.deletion import ProtectedError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from companies.models import Company
from editorial import revisions, workflow
from editorial.workflow import Action, Stale
from issues.models import IssueStory
from stories.models import Source, Status, Story
from tests.adminform import change_url, save_change_form
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


def test_a_published_story_made_outside_the_admin_keeps_all_its_sources(client, editor):
    story = Story.objects.create(
        headline="Imported",
        slug="imported",
        summary="From a script.",
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )
    for n in range(3):
        Source.objects.create(story=story, publisher=f"P{n}", url=f"https://x.org/{n}", position=n)
    assert story.latest_revision_id is None
    save_change_form(client, editor, story, headline="Imported, edited")
    rows = story.latest_revision.content["children"]["sources"]
    assert [row["publisher"] for row in rows] == ["P0", "P1", "P2"]


def test_an_edit_by_someone_who_may_not_touch_sources_keeps_the_sources(client):
    """Chen may change stories but not add or delete their sources."""
    chen = User.objects.create_user("chen", password="x", is_staff=True)
    chen.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="stories",
            codename__in=["change_story", "view_story", "view_source", "change_source"],
        )
    )
    story = make_story(status=Status.PUBLISHED, companies=[make_company()], sources=2)
    save_change_form(client, chen, story, headline="Chen's headline")
    content = story.latest_revision.content
    assert content["fields"]["headline"] == "Chen's headline"
    assert len(content["children"]["sources"]) == 2


def test_a_story_submitted_after_the_reviewer_looked_does_not_go_out_with_the_issue(
    editor, reviewer
):
    seen = make_story(status=Status.IN_REVIEW, author=editor, companies=[make_company()])
    late = make_story(status=Status.DRAFT, author=editor, companies=[make_company()])
    issue = make_issue(stories=[seen, late], status=Status.IN_REVIEW)
    IssueStory.objects.filter(story=late).delete()
    revisions.save_revision(issue, by=editor)
    # Rita's confirmation page listed only `seen`; then `late` joins the issue, in review.
    pins = {seen.pk: seen.latest_revision_id}
    IssueStory.objects.create(issue=issue, story=late, position=2)
    revisions.save_revision(issue, by=editor)
    workflow.submit(late, by=editor)
    issue.refresh_from_db()
    with pytest.raises(Stale):
        workflow.publish(
            issue, by=reviewer, revision=issue.latest_revision_id, story_revisions=pins
        )
    assert not Story.objects.published().exists()


def test_changes_to_a_public_story_do_not_go_out_with_an_issue(client, editor, reviewer):
    public = make_story(
        "Public text", status=Status.PUBLISHED, author=editor, companies=[make_company()]
    )
    fresh = make_story(status=Status.IN_REVIEW, author=editor, companies=[make_company()])
    save_change_form(client, editor, public, headline="Unreviewed change")
    workflow.submit(public, by=editor)
    issue = make_issue(stories=[public, fresh], status=Status.IN_REVIEW)
    workflow.publish(issue, by=reviewer)
    public.refresh_from_db()
    assert public.headline == "Public text"
    assert public.pending_status == Status.IN_REVIEW
    assert Story.objects.published().filter(pk=fresh.pk).exists()


def test_a_story_joining_a_public_issue_is_published_now_not_back_dated(
    client, editor, reviewer, other_reviewer
):
    first = make_story(status=Status.PUBLISHED, author=editor, companies=[make_company()])
    issue = make_issue(
        stories=[first],
        status=Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=7),
    )
    late = make_story(status=Status.IN_REVIEW, author=editor, companies=[make_company()])
    content = revisions.serialize(issue)
    content["children"]["entries"].append({"position": 2, "story": late.pk})
    workflow.keep_revision(issue, by=editor, content=content)
    workflow.submit(issue, by=editor)
    before = timezone.now()
    workflow.publish(issue, by=reviewer)
    late.refresh_from_db()
    assert late.is_published
    assert late.published_at >= before


def test_review_steps_on_pending_changes_leave_the_public_date_modified_alone(
    client, editor, reviewer
):
    story = make_story(status=Status.PUBLISHED, author=editor, companies=[make_company()])
    modified = Story.objects.get(pk=story.pk).updated_at
    save_change_form(client, editor, story, headline="Draft change")
    workflow.submit(story, by=editor)
    workflow.request_changes(story, by=reviewer, comment="Not yet.")
    story.refresh_from_db()
    assert story.updated_at == modified
    assert story.pending_status == Status.DRAFT


def test_a_reviewer_edit_of_changes_in_review_is_logged(client, editor, reviewer):
    story = make_story(status=Status.PUBLISHED, author=editor, companies=[make_company()])
    save_change_form(client, editor, story, headline="Editor's change")
    workflow.submit(story, by=editor)
    save_change_form(client, reviewer, story, headline="Reviewer's fix")
    edit = workflow.history(story).first()
    assert (edit.action, edit.by) == (Action.EDIT, reviewer)
    assert story.pending_status == Status.IN_REVIEW


def test_an_issue_whose_revision_names_a_deleted_story_says_so(editor):
    gone = make_story(author=editor)
    issue = make_issue(stories=[make_story(status=Status.IN_REVIEW, author=editor), gone])
    gone_id = gone.pk
    gone.delete()
    assert gone_id in _story_ids(issue)
    assert any("deleted" in problem for problem in workflow.publish_problems(issue))


def _story_ids(issue):
    return [row["story"] for row in issue.latest_revision.content["children"]["entries"]]


def test_a_public_issues_form_shows_each_storys_state_from_the_revision(client, reviewer):
    story = make_story("Listed story", status=Status.PUBLISHED, companies=[make_company()])
    issue = make_issue(stories=[story], status=Status.PUBLISHED)
    client.force_login(reviewer)
    page = client.get(change_url(issue)).content.decode()
    assert re.search(r'field-story_status">\s*<p>Published</p>', page)


def test_the_schedule_form_names_the_site_time_and_takes_both_formats(client, reviewer, editor):
    story = make_story(status=Status.IN_REVIEW, author=editor, companies=[make_company()])
    client.force_login(reviewer)
    step = reverse("admin:stories_story_step", args=[story.pk, "schedule"])
    page = client.get(step).content.decode()
    assert "Europe/London" in page and "YYYY-MM-DD HH:MM" in page
    later = timezone.localtime() + timedelta(days=3)
    client.post(
        step, {"at": later.strftime("%Y-%m-%d %H:%M"), "revision": story.latest_revision_id}
    )
    story.refresh_from_db()
    assert story.is_scheduled
    assert timezone.localtime(story.published_at).strftime("%Y-%m-%d %H:%M") == later.strftime(
        "%Y-%m-%d %H:%M"
    )


def test_someone_who_may_not_edit_sees_the_published_text_whole(client, editor, other_editor):
    story = make_story(
        "Public headline", status=Status.PUBLISHED, author=editor, companies=[make_company()]
    )
    save_change_form(
        client, editor, story, headline="Pending headline", **{"sources-0-publisher": "Caixin"}
    )
    workflow.submit(story, by=editor)
    ed = Client()
    ed.force_login(other_editor)
    page = ed.get(change_url(story)).content.decode()
    # Fields and sources from the same text: the published one (the diff shows the rest).
    assert "Public headline" in page and "Pending headline" not in page
    assert "Publisher 1" in page and "Caixin" not in page
    assert "see what changed" in page


def test_a_company_named_only_in_changes_waiting_for_review_cannot_be_deleted(client, editor):
    story = make_story(status=Status.PUBLISHED, author=editor, companies=[make_company()])
    newcomer = make_company("Newcomer")
    save_change_form(
        client,
        editor,
        story,
        companies=[str(pk) for pk in story.companies.values_list("pk", flat=True)]
        + [str(newcomer.pk)],
    )
    assert not story.companies.filter(pk=newcomer.pk).exists()  # not on the public rows
    with pytest.raises(ProtectedError, match="Newcomer cannot be deleted"):
        newcomer.delete()
    assert Company.objects.filter(pk=newcomer.pk).exists()
