"""The newsletter in the admin: subscribers (list, CSV, unsubscribe), counts per issue, test
copies, and who may do each."""

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from newsletter.models import Delivery, Subscriber
from tests.conftest import _user
from tests.newsletter.conftest import issue_in_review, publish, subscribers
from tests.queue import queued, run_queued

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/newsletter/subscriber/"


def _export(client, subscribers_):
    return client.post(
        CHANGELIST,
        {"action": "export_csv", "_selected_action": [s.pk for s in subscribers_]},
    )


def test_admins_export_subscribers_as_csv_with_formulas_defused(client, admin_user):
    rows = subscribers("ann@example.com", "=1+2@example.com", "+cmd@example.com", "-x@example.com")
    client.force_login(admin_user)
    response = _export(client, rows)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="subscribers-')
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert table[0] == ["email", "status", "requested_at", "confirmed_at", "unsubscribed_at"]
    assert [row[0] for row in table[1:]] == [
        "ann@example.com",
        "'=1+2@example.com",
        "'+cmd@example.com",
        "'-x@example.com",
    ]
    assert {row[1] for row in table[1:]} == {"confirmed"}


def test_staff_who_may_see_subscribers_may_not_export_them_without_the_permission(client):
    viewer = _user("vera", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_subscriber"))
    rows = subscribers("ann@example.com")
    client.force_login(viewer)
    page = client.get(CHANGELIST)
    assert page.status_code == 200 and "ann@example.com" in page.text
    assert "export_csv" not in page.text
    response = _export(client, rows)
    assert response.get("Content-Type", "").startswith("text/html")  # no file


def test_editors_and_reviewers_do_not_see_subscribers(client, editor, reviewer):
    subscribers("ann@example.com")
    for person in (editor, reviewer):
        client.force_login(person)
        assert client.get(CHANGELIST).status_code == 403


def test_an_admin_unsubscribes_addresses_by_hand(client, admin_user, reviewer):
    ann, bo = subscribers("ann@example.com", "bo@example.com")
    issue = publish(issue_in_review(), reviewer)
    run_queued("newsletter.send_issue")  # Ann's and Bo's deliveries wait
    client.force_login(admin_user)
    client.post(CHANGELIST, {"action": "unsubscribe_selected", "_selected_action": [ann.pk]})
    ann.refresh_from_db()
    assert ann.status == "unsubscribed"
    assert Delivery.objects.get(issue=issue, subscriber=ann).state == "skipped"
    assert Subscriber.objects.get(pk=bo.pk).status == "confirmed"


def test_nobody_adds_a_subscriber_by_hand(client, admin_user):
    client.force_login(admin_user)
    assert client.get(CHANGELIST + "add/").status_code == 403


def test_reviewers_see_each_issue_s_sent_pending_and_failed_counts(client, reviewer):
    ann, bo, cy = subscribers("ann@example.com", "bo@example.com", "cy@example.com")
    issue = publish(issue_in_review(), reviewer)
    run_queued("newsletter.send_issue")
    Delivery.objects.filter(subscriber=ann).update(state="sent")
    Delivery.objects.filter(subscriber=bo).update(state="failed")
    client.force_login(reviewer)
    page = client.get("/admin/newsletter/delivery/by-issue/")
    assert page.status_code == 200
    [shown] = page.context["issues"]
    assert shown == issue
    counts = shown.delivery_counts
    assert (counts["sent"], counts["pending"], counts["failed"]) == (1, 1, 1)
    assert "Send me a test copy" in page.text


def test_the_desk_links_reviewers_to_the_counts(client, reviewer, editor):
    client.force_login(reviewer)
    assert "/admin/newsletter/delivery/by-issue/" in client.get("/admin/desk/").text
    client.force_login(editor)
    assert "/admin/newsletter/delivery/by-issue/" not in client.get("/admin/desk/").text


def test_editors_do_not_see_the_counts(client, editor):
    client.force_login(editor)
    assert client.get("/admin/newsletter/delivery/by-issue/").status_code == 403


def test_a_reviewer_sends_themselves_a_test_copy_of_a_draft_issue(client, reviewer):
    subscribers("ann@example.com")
    issue = issue_in_review("Draft about Baidu")
    client.force_login(reviewer)
    response = client.post(f"/admin/newsletter/delivery/test-copy/{issue.pk}/")
    assert response.status_code == 302
    [job] = queued("newsletter.send_test_copy")
    assert job.args == {"issue_id": issue.pk, "email": "rita@example.com"}
    run_queued()
    [message] = mail.outbox
    assert message.to == ["rita@example.com"]
    assert message.subject.startswith("[Test copy] Digest #")
    assert "Story 1 of Draft about Baidu" in message.body
    assert "List-Unsubscribe" not in message.extra_headers
    assert not Delivery.objects.exists()  # subscribers got nothing


def test_only_reviewers_send_test_copies_and_only_by_post(client, editor, reviewer):
    issue = issue_in_review()
    client.force_login(editor)
    assert client.post(f"/admin/newsletter/delivery/test-copy/{issue.pk}/").status_code == 403
    client.force_login(reviewer)
    assert client.get(f"/admin/newsletter/delivery/test-copy/{issue.pk}/").status_code == 405
    assert queued().count() == 0
