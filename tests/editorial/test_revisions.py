"""Revisions: every save keeps one; edits to published text wait in review; publishing is pinned
to the revision the reviewer saw; restore and diff. Erin edits, Rita and Rob review."""

import pytest
from django.urls import reverse

from editorial import revisions, workflow
from editorial.models import Revision, Transition
from editorial.workflow import Action, NotAllowed, Stale, WorkflowError
from stories.models import Correction, Status, Story
from tests.adminform import save_change_form
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


def _published(editor, **kwargs):
    kwargs.setdefault("companies", [make_company()])
    return make_story("Old headline", status=Status.PUBLISHED, author=editor, **kwargs)


def test_every_admin_save_keeps_a_revision_with_the_whole_content(client, editor):
    story = make_story(author=editor, companies=[make_company()])
    save_change_form(client, editor, story, headline="Second words")
    save_change_form(client, editor, story, headline="Third words")
    numbers = list(Revision.objects.of(story).values_list("number", flat=True))
    assert numbers == [3, 2, 1]
    content = story.latest_revision.content
    assert content["fields"]["headline"] == "Third words"
    assert content["tags"]["companies"] == [story.companies.get().pk]
    assert content["children"]["sources"][0]["publisher"] == "Publisher 1"


def test_a_save_without_changes_keeps_no_new_revision(client, editor):
    story = make_story(author=editor)
    save_change_form(client, editor, story)
    assert Revision.objects.of(story).count() == 1


def test_an_edit_to_a_published_story_leaves_the_public_rows_alone(client, editor, other_reviewer):
    story = _published(editor)
    version_public = story.published_at
    save_change_form(
        client, editor, story, headline="New headline", **{"sources-0-publisher": "Caixin"}
    )
    assert Story.objects.published().get(pk=story.pk).headline == "Old headline"
    assert story.sources.get().publisher == "Publisher 1"
    assert story.pending_status == Status.DRAFT
    assert story.published_at == version_public
    response = client.get(story.get_absolute_url())
    assert "Old headline" in response.content.decode()


def test_publishing_the_pinned_revision_writes_it_onto_the_live_rows(editor, reviewer):
    story = _published(editor)
    rows = revisions.serialize(story)
    rows["fields"]["headline"] = "New headline"
    rows["children"]["sources"] = [{"publisher": "Caixin", "url": "https://x.cn/", "position": 0}]
    revision = revisions.save_revision(story, by=editor, content=rows)
    Story.objects.filter(pk=story.pk).update(pending_status=Status.DRAFT)
    story.refresh_from_db()
    workflow.submit(story, by=editor)
    workflow.publish(story, by=reviewer, revision=revision.pk)
    story.refresh_from_db()
    assert story.headline == "New headline"
    assert story.sources.get().publisher == "Caixin"
    assert (story.status, story.pending_status) == (Status.PUBLISHED, "")
    assert story.live_revision_id == revision.pk


def test_a_stale_publish_is_refused_and_changes_nothing(editor, reviewer, other_reviewer):
    story = make_story(status=Status.IN_REVIEW, author=editor, companies=[make_company()])
    seen = story.latest_revision_id
    content = revisions.serialize(story)
    content["fields"]["headline"] = "Changed after Rita opened it"
    revisions.save_revision(story, by=other_reviewer, content=content)
    before = Transition.objects.count()
    with pytest.raises(Stale, match="changed since you opened it"):
        workflow.publish(story, by=reviewer, revision=seen)
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    assert Transition.objects.count() == before


def test_a_revision_written_by_a_reviewer_needs_another_reviewer(
    client, editor, reviewer, other_reviewer
):
    story = _published(editor)
    save_change_form(client, reviewer, story, headline="Rita's fix")
    workflow.submit(story, by=reviewer)
    with pytest.raises(NotAllowed, match="another reviewer"):
        workflow.publish(story, by=reviewer, revision=story.latest_revision_id)
    workflow.publish(story, by=other_reviewer, revision=story.latest_revision_id)
    story.refresh_from_db()
    assert story.headline == "Rita's fix"


def test_a_correction_note_is_public_on_the_story_page_and_in_its_data(client, editor, reviewer):
    story = _published(editor)
    save_change_form(client, editor, story, summary="Fixed summary.")
    workflow.submit(story, by=editor)
    workflow.publish(
        story, by=reviewer, revision=story.latest_revision_id, correction="We had the date wrong."
    )
    client.logout()
    page = client.get(story.get_absolute_url()).content.decode()
    assert "We had the date wrong." in page
    assert '"CorrectionComment"' in page
    assert Correction.objects.get().revision_id == story.latest_revision_id


def test_a_correction_note_is_refused_on_a_first_publication(editor, reviewer):
    story = make_story(status=Status.IN_REVIEW, author=editor, companies=[make_company()])
    with pytest.raises(WorkflowError, match="correction note"):
        workflow.publish(story, by=reviewer, correction="Nothing to correct yet.")
    story.refresh_from_db()
    assert story.status == Status.IN_REVIEW
    assert not Correction.objects.exists()


def test_restore_makes_an_old_text_the_new_draft_while_the_public_keeps_its_text(
    client, editor, reviewer
):
    story = _published(editor)
    first = story.latest_revision
    save_change_form(client, editor, story, headline="Second")
    workflow.submit(story, by=editor)
    workflow.publish(story, by=reviewer, revision=story.latest_revision_id)
    workflow.restore(story, first, by=editor)
    story.refresh_from_db()
    assert story.headline == "Second"  # public
    assert story.pending_status == Status.DRAFT
    assert story.latest_revision.content["fields"]["headline"] == "Old headline"
    assert workflow.history(story).first().action == Action.RESTORE


def test_restore_of_a_draft_writes_the_old_text_onto_the_draft(client, editor):
    story = make_story("First", author=editor)
    first = story.latest_revision
    save_change_form(client, editor, story, headline="Second")
    workflow.restore(story, first, by=editor)
    story.refresh_from_db()
    assert story.headline == "First"
    assert story.latest_revision.number == 3


def test_editors_cannot_restore_what_is_in_review(editor):
    story = make_story(status=Status.IN_REVIEW, author=editor)
    with pytest.raises(NotAllowed):
        workflow.restore(story, story.latest_revision, by=editor)
    assert Revision.objects.of(story).count() == 1


def test_the_diff_shows_words_tags_sources_and_moved_stories(client, editor, reviewer):
    alibaba, tencent = make_company("Alibaba"), make_company("Tencent")
    story = make_story("Alibaba cuts prices", author=editor, companies=[alibaba])
    save_change_form(
        client,
        editor,
        story,
        headline="Alibaba cuts cloud prices",
        companies=[str(tencent.pk)],
        **{"sources-0-publisher": "Caixin"},
    )
    old, new = Revision.objects.of(story).order_by("number")
    client.force_login(reviewer)
    url = reverse("admin:stories_story_diff", args=[story.pk, old.pk, new.pk])
    page = client.get(url).content.decode()
    assert "<ins>cloud </ins>" in page or "<ins>cloud</ins>" in page
    assert "removed: <del>Alibaba</del>" in page
    assert "added: <ins>Tencent</ins>" in page
    assert "Caixin" in page

    one, two = make_story("One"), make_story("Two")
    issue = make_issue(stories=[one, two])
    content = revisions.serialize(issue)
    content["children"]["entries"] = [
        {"position": 1, "story": two.pk},
        {"position": 2, "story": one.pk},
    ]
    moved = revisions.diff(type(issue), issue.latest_revision.content, content)
    assert moved[0].moved == [f"{two.pk}: 2 → 1".replace(str(two.pk), "Two"), "One: 1 → 2"]


def test_deleting_a_published_issue_is_logged(client, admin_user):
    issue = make_issue(status=Status.PUBLISHED, stories=[make_story()])
    client.force_login(admin_user)
    url = reverse("admin:issues_issue_delete", args=[issue.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    [entry] = Transition.objects.filter(action=Action.DELETE)
    assert (entry.by, entry.from_status) == (admin_user, Status.PUBLISHED)
    assert str(issue.number) in entry.comment
