"""The end of an issue (its wrap-up under a heading, a link to the full report) and the links
to the issues before and after it, which name published issues only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from editorial import revisions, workflow
from issues.models import Issue
from stories.models import Status
from tests.adminform import form_data
from tests.factories import make_company, make_issue, make_story

pytestmark = pytest.mark.django_db

REPORT = "https://example.com/reports/november/"


def published_issue(number, **kwargs):
    story = make_story(status=Status.PUBLISHED, companies=[make_company()])
    kwargs.setdefault("published_at", timezone.now() - timedelta(days=30 - number))
    return make_issue(number, stories=[story], status=Status.PUBLISHED, **kwargs)


def page(client, number):
    response = client.get(f"/issues/{number}/")
    assert response.status_code == 200
    return response


def neighbours(html):
    nav = html.split('<nav class="prev-next issue-nav"')
    if len(nav) == 1:
        return None, None
    nav = nav[1].split("</nav>")[0]
    prev = nav.split('rel="prev" href="')[1].split('"')[0] if 'rel="prev"' in nav else None
    nxt = nav.split('rel="next" href="')[1].split('"')[0] if 'rel="next"' in nav else None
    return prev, nxt


# --- The end of the issue ---------------------------------------------------------------------


def test_the_wrap_up_prints_under_its_heading_with_the_full_report_link(client):
    published_issue(
        4,
        wrapup="See you *next week*.",
        report_title="Our November report on China's platforms",
        report_url=REPORT,
    )
    html = page(client, 4).content.decode()
    wrapup = html.split('<section class="prose wrapup" aria-labelledby="wrapup-title">')[1]
    wrapup = wrapup.split("</section>")[0]
    assert '<h2 id="wrapup-title">Wrapping up</h2>' in wrapup
    assert "<em>next week</em>" in wrapup
    assert f'<a href="{REPORT}">Our November report on China&#x27;s platforms</a>' in wrapup


def test_an_issue_without_wrap_up_or_report_prints_no_empty_heading(client):
    published_issue(4)
    assert 'id="wrapup-title"' not in page(client, 4).content.decode()


def test_a_report_link_needs_its_text_and_a_web_address(client, editor):
    issue = make_issue(4, stories=[make_story(companies=[make_company()])])
    client.force_login(editor)
    url = reverse("admin:issues_issue_change", args=[issue.pk])
    data = form_data(client.get(url))
    for title, address, field in (
        ("Our report", "", "report_url"),
        ("", REPORT, "report_title"),
        ("Our report", "javascript:alert(1)", "report_url"),
    ):
        response = client.post(url, {**data, "report_title": title, "report_url": address})
        assert response.status_code == 200, (title, address)
        assert response.context["adminform"].form.errors[field], (title, address)
    issue.refresh_from_db()
    assert (issue.report_title, issue.report_url) == ("", "")


def test_the_wrap_up_and_report_of_a_published_issue_change_once_the_change_is_published(
    client, editor, reviewer
):
    """They are issue content: kept in its revisions, public once a reviewer publishes them,
    and the stored contents are rendered again then."""
    issue = published_issue(4, wrapup="Old words.")
    # The editor's save keeps a revision of the whole issue, these fields included.
    content = revisions.serialize(issue)
    content["fields"].update(
        wrapup_heading="Before you go", report_title="The full November report", report_url=REPORT
    )
    revisions.save_revision(issue, by=editor, content=content)
    Issue.objects.filter(pk=issue.pk).update(pending_status=Status.DRAFT)  # as the admin marks it
    assert set(Issue.revision_spec.fields) >= {"wrapup_heading", "report_title", "report_url"}
    html = page(client, 4).content.decode()
    assert "Before you go" not in html and REPORT not in html  # waiting for review

    workflow.submit(Issue.objects.get(pk=issue.pk), by=editor)
    workflow.publish(Issue.objects.get(pk=issue.pk), by=reviewer)
    html = page(client, 4).content.decode()
    assert '<h2 id="wrapup-title">Before you go</h2>' in html
    assert f'<a href="{REPORT}">The full November report</a>' in html


# --- Previous and next issues -----------------------------------------------------------------


def test_neighbours_are_the_nearest_published_issues_never_a_draft_or_scheduled_one(client):
    published_issue(1)
    make_issue(2, title="A draft in between", stories=[make_story()])
    published_issue(3)
    published_issue(4, published_at=timezone.now() + timedelta(days=2))  # scheduled
    published_issue(5)
    make_issue(6, title="Next week's draft", status=Status.IN_REVIEW)

    assert neighbours(page(client, 1).content.decode()) == (None, "/issues/3/")
    assert neighbours(page(client, 3).content.decode()) == ("/issues/1/", "/issues/5/")
    html = page(client, 5).content.decode()
    assert neighbours(html) == ("/issues/3/", None)
    assert "A draft in between" not in html and "Next week&#x27;s draft" not in html
    # The home page is the latest issue: it links the one before.
    assert neighbours(client.get("/").content.decode()) == ("/issues/3/", None)
    assert (
        'rel="prev" href="/issues/3/"><span class="label">Previous issue</span> #3: Issue 3<'
        in (html)
    )


def test_publishing_the_next_issue_adds_it_to_the_stored_page_of_the_one_before(
    client, editor, reviewer
):
    published_issue(7)
    following = make_issue(
        8,
        stories=[make_story(status=Status.IN_REVIEW, author=editor, companies=[make_company()])],
        status=Status.IN_REVIEW,
    )
    page(client, 7)
    response = page(client, 7)
    assert response["X-Page-Cache"] == "hit" and neighbours(response.content.decode())[1] is None

    workflow.publish(following, by=reviewer)
    response = page(client, 7)
    assert neighbours(response.content.decode()) == (None, "/issues/8/")

    # Unpublishing takes the link away again.
    workflow.unpublish(Issue.objects.get(pk=following.pk), by=reviewer)
    assert neighbours(page(client, 7).content.decode()) == (None, None)


def test_a_preview_names_no_neighbour(client, reviewer):
    published_issue(1)
    draft = make_issue(2, stories=[make_story(companies=[make_company()])])
    client.force_login(reviewer)
    response = client.get(reverse("issue_preview", args=[draft.pk]))
    assert response.status_code == 200
    assert 'class="prev-next issue-nav"' not in response.content.decode()
