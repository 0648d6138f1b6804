"""The issue admin: stories inline and orderable, published as one unit from its page."""

import pytest
from django.urls import reverse

from editorial import revisions, workflow
from issues.models import Issue, IssueStory
from stories.models import Status, Story
from tests.adminform import form_data
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db


def change_url(issue):
    return reverse("admin:issues_issue_change", args=[issue.pk])


def _story(status=Status.IN_REVIEW, **kwargs):
    return make_story(status=status, companies=[make_company()], **kwargs)


def _positions(issue):
    return list(issue.entries.order_by("position").values_list("story__headline", flat=True))


def _entry_prefix(data, story):
    for key, value in data.items():
        if key.endswith("-story") and value == str(story.pk):
            return key.removesuffix("-story")
    raise AssertionError(f"{story} is not in the form")


def test_issue_stories_can_be_reordered_by_swapping_positions(client, editor):
    first, second = _story(headline="First"), _story(headline="Second")
    issue = make_issue(stories=[first, second])
    client.force_login(editor)
    data = form_data(client.get(change_url(issue)))
    data[_entry_prefix(data, first) + "-position"] = "2"
    data[_entry_prefix(data, second) + "-position"] = "1"
    response = client.post(change_url(issue), data)
    assert response.status_code == 302
    assert _positions(issue) == ["Second", "First"]


def test_a_repeated_position_is_a_form_error_not_a_500(client, editor):
    first, second = _story(headline="First"), _story(headline="Second")
    issue = make_issue(stories=[first, second])
    client.force_login(editor)
    data = form_data(client.get(change_url(issue)))
    data[_entry_prefix(data, second) + "-position"] = "1"
    response = client.post(change_url(issue), data)
    assert response.status_code == 200
    assert "Please correct the duplicate data for position" in response.content.decode()
    assert _positions(issue) == ["First", "Second"]


def test_a_story_already_in_another_issue_is_refused(client, editor):
    elsewhere = _story(headline="Taken")
    other = make_issue(stories=[elsewhere])
    issue = make_issue(stories=[_story()])
    client.force_login(editor)
    data = form_data(client.get(change_url(issue)))
    data["entries-1-issue"] = str(issue.pk)
    data["entries-1-story"] = str(elsewhere.pk)
    data["entries-1-position"] = "2"
    response = client.post(change_url(issue), data)
    assert response.status_code == 200
    assert f"already runs in issue #{other.number}" in response.content.decode()
    assert issue.entries.count() == 1


def test_issue_list_shows_status_and_story_count(client, editor):
    make_issue(stories=[_story(), _story()], title="Week 47")
    client.force_login(editor)
    response = client.get(reverse("admin:issues_issue_changelist"))
    page = response.content.decode()
    assert "Week 47" in page
    assert "wf-badge wf-draft" in page
    assert response.context["cl"].result_list[0].entry_count == 2


def test_issue_search_by_number(client, editor):
    issue = make_issue(number=47, title="Week")
    make_issue(number=48, title="Other week")
    client.force_login(editor)
    url = reverse("admin:issues_issue_changelist")
    assert list(client.get(url, {"q": "#47"}).context["cl"].result_list) == [issue]
    assert client.get(url, {"q": "9" * 30}).status_code == 200


def test_new_issue_suggests_the_next_number(client, editor):
    make_issue(number=41)
    client.force_login(editor)
    form = client.get(reverse("admin:issues_issue_add")).context["adminform"].form
    assert form.initial["number"] == 42


def test_publish_button_on_an_issue_refuses_naming_its_drafts(client, reviewer, editor):
    draft = _story(Status.DRAFT, headline="Still a draft", author=editor)
    issue = make_issue(stories=[_story(author=editor), draft], status=Status.IN_REVIEW)
    client.force_login(reviewer)
    page = client.get(change_url(issue)).content.decode()
    assert "Still a draft" in page  # listed among what blocks it
    response = client.post(
        reverse("admin:issues_issue_step", args=[issue.pk, "publish"]),
        {"revision": issue.latest_revision_id},
        follow=True,
    )
    [message] = [str(m) for m in response.context["messages"]]
    assert "Still a draft" in message
    issue.refresh_from_db()
    assert issue.status == Status.IN_REVIEW


def test_publish_button_on_an_issue_publishes_it_with_its_stories(client, reviewer, editor):
    stories = [_story(author=editor), _story(author=editor)]
    issue = make_issue(stories=stories, status=Status.IN_REVIEW)
    client.force_login(reviewer)
    step = reverse("admin:issues_issue_step", args=[issue.pk, "publish"])
    # The confirmation lists every story that goes live with the issue, pinned to its revision.
    page = client.get(step).content.decode()
    for story in stories:
        assert story.headline in page
        assert f'name="story_revision_{story.pk}" value="{story.latest_revision_id}"' in page
    client.post(
        step,
        {
            "revision": issue.latest_revision_id,
            **{f"story_revision_{s.pk}": s.latest_revision_id for s in stories},
        },
    )
    assert Issue.objects.published().filter(pk=issue.pk).exists()
    assert Story.objects.published().count() == 2


def test_issue_in_review_is_read_only_for_editors(client, editor):
    issue = make_issue(stories=[_story()], status=Status.IN_REVIEW, title="Frozen")
    client.force_login(editor)
    page = client.get(change_url(issue))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()
    assert client.post(change_url(issue), {"title": "Changed"}).status_code == 403
    issue.refresh_from_db()
    assert issue.title == "Frozen"


def test_issue_lost_update_is_refused(client, editor, other_editor):
    issue = make_issue(stories=[_story()], title="Original")
    client.force_login(editor)
    erin = form_data(client.get(change_url(issue)), title="Erin's title")
    client.force_login(other_editor)
    ed = form_data(client.get(change_url(issue)), title="Ed's title")
    assert client.post(change_url(issue), ed).status_code == 302
    client.force_login(editor)
    response = client.post(change_url(issue), erin)
    assert "Someone else saved this issue" in response.content.decode()
    issue.refresh_from_db()
    assert issue.title == "Ed's title"


def test_bulk_submit_issues(client, editor):
    issues = [make_issue(stories=[_story()]) for _ in range(2)]
    client.force_login(editor)
    client.post(
        reverse("admin:issues_issue_changelist"),
        {"action": "submit_selected", "_selected_action": [str(i.pk) for i in issues]},
    )
    assert Issue.objects.filter(status=Status.IN_REVIEW).count() == 2


def test_editorial_desk_shows_each_person_their_work(client, editor, reviewer):
    sent_back = _story(author=editor, headline="Needs a second source")
    workflow.request_changes(sent_back, by=reviewer, comment="Add a second source.")
    _story(Status.DRAFT, author=editor, headline="Half written")
    _story(author=editor, headline="Waiting for Rita")
    next_issue = make_issue(number=48, stories=[_story(Status.DRAFT, headline="Draft in 48")])
    IssueStory.objects.filter(issue=next_issue).update(position=2)
    revisions.save_revision(next_issue, by=editor)  # as the admin keeps every save

    client.force_login(editor)
    page = client.get(reverse("editorial_desk")).content.decode()
    assert "Add a second source." in page
    assert "Half written" in page
    assert "Awaiting your review" not in page
    assert "#48" in page
    assert "these stories are still drafts: “Draft in 48”" in page
    assert "they are now 2" in page

    client.force_login(reviewer)
    page = client.get(reverse("editorial_desk")).content.decode()
    assert "Awaiting your review" in page
    assert "Waiting for Rita" in page


def test_editorial_desk_lists_what_is_scheduled(client, reviewer, editor):
    from datetime import timedelta

    from django.utils import timezone

    story = _story(author=editor, headline="Goes out Monday")
    workflow.publish(story, by=reviewer, at=timezone.now() + timedelta(days=3))
    client.force_login(reviewer)
    page = client.get(reverse("editorial_desk")).content.decode()
    assert "Goes out Monday" in page
    assert "goes live" in page


def test_editorial_desk_is_for_staff_only(client, reader):
    client.force_login(reader)
    response = client.get(reverse("editorial_desk"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
