"""Sending an issue: when it goes, to whom, what the email holds, and each subscriber at most
once whatever is retried. The queue's jobs run in this process (tests.queue); the worker tests
run real workers."""

import contextlib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from editorial import workflow
from newsletter import sending
from newsletter.models import Delivery, Subscriber
from tests.newsletter.conftest import issue_in_review, publish, subscribers
from tests.queue import queued, run_queued
from tests.smtp import smtp_sink

pytestmark = pytest.mark.django_db


def _issue_mails():
    return [m for m in mail.outbox if "#" in m.subject]


def test_publishing_sends_the_issue_once_to_each_confirmed_subscriber(reviewer):
    subscribers("ann@example.com", "bo@example.com")
    subscribers("pending@example.com", status=Subscriber.Status.PENDING)
    subscribers("gone@example.com", status=Subscriber.Status.UNSUBSCRIBED)
    issue = publish(issue_in_review(), reviewer)
    run_queued()
    assert sorted(m.to[0] for m in _issue_mails()) == ["ann@example.com", "bo@example.com"]
    assert Delivery.objects.filter(issue=issue, state="sent").count() == 2


def test_the_email_reads_like_the_issue_with_both_unsubscribe_headers(reviewer):
    [ann] = subscribers("ann@example.com")
    issue = publish(issue_in_review("TikTok Shop grows", stories=3), reviewer)
    run_queued()
    [message] = _issue_mails()
    assert message.subject == f"Digest #{issue.number}: TikTok Shop grows"
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://127.0.0.1:8000/newsletter/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    # Intro, the stories numbered in order with absolute links, wrap-up.
    assert "<strong>six</strong>" in html
    positions = [html.index(f"{n}. <a href=") for n in (1, 2, 3)]
    assert positions == sorted(positions)
    assert 'href="http://127.0.0.1:8000/stories/' in html
    assert 'href="http://127.0.0.1:8000/companies/"' in html  # a relative link made absolute
    assert "See you next week." in html
    # Styles inlined, no <style> left, no images (no tracking pixel).
    assert "<style" not in html and 'style="' in html
    assert "<img" not in html
    assert unsubscribe[1:-1] in html
    # The plain-text part carries the same.
    assert "1. Story 1 of TikTok Shop grows" in message.body
    assert "a link (https://example.com/1)" in message.body
    assert "ours (http://127.0.0.1:8000/companies/)" in message.body
    assert f"Unsubscribe: {unsubscribe[1:-1]}" in message.body
    assert "<p>" not in message.body


def test_each_subscriber_gets_their_own_unsubscribe_link(reviewer):
    subscribers("ann@example.com", "bo@example.com")
    publish(issue_in_review(), reviewer)
    run_queued()
    links = {m.extra_headers["List-Unsubscribe"] for m in _issue_mails()}
    assert len(links) == 2


def test_starting_again_sends_nothing_twice(reviewer):
    subscribers("ann@example.com", "bo@example.com")
    issue = publish(issue_in_review(), reviewer)
    run_queued()
    assert sending.start(issue) == 0
    sending.queue_batches(issue.pk)
    run_queued()
    assert len(_issue_mails()) == 2


def test_republishing_after_unpublishing_sends_only_to_new_subscribers(reviewer):
    subscribers("ann@example.com")
    issue = publish(issue_in_review(), reviewer)
    run_queued()
    workflow.unpublish(issue, by=reviewer)
    workflow.submit(issue, by=reviewer)
    subscribers("new@example.com")
    workflow.publish(issue, by=workflow_other_reviewer(reviewer))
    run_queued()
    assert sorted(m.to[0] for m in _issue_mails()) == ["ann@example.com", "new@example.com"]


def workflow_other_reviewer(reviewer):
    from django.contrib.auth.models import Group, User

    other = User.objects.create_user("rob2", "rob2@example.com", is_staff=True)
    other.groups.add(Group.objects.get(name="Reviewers"))
    return other


def test_publishing_changes_to_a_public_issue_sends_nothing_new(reviewer):
    subscribers("ann@example.com")
    issue = publish(issue_in_review(), reviewer)
    run_queued()
    assert queued().count() == 0
    sending._issue_went_live(type(issue), instance=issue, first_time=False)
    assert queued("newsletter.send_issue").count() == 0


def test_a_scheduled_issue_is_queued_for_its_moment_and_sent_only_then(reviewer):
    subscribers("ann@example.com")
    at = timezone.now() + timedelta(hours=2)
    issue = publish(issue_in_review(), reviewer, at=at)
    [job] = queued("newsletter.send_issue")
    assert job.scheduled_at == at
    run_queued()  # nothing is due yet
    assert _issue_mails() == []
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        run_queued()
    assert [m.to[0] for m in _issue_mails()] == ["ann@example.com"]
    assert Delivery.objects.get(issue=issue).state == "sent"


def test_a_time_chosen_in_another_time_zone_is_the_same_moment(reviewer):
    from zoneinfo import ZoneInfo

    subscribers("ann@example.com")
    at = (timezone.now() + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Shanghai"))
    issue = publish(issue_in_review(), reviewer, at=at)
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        run_queued()
    assert Delivery.objects.get(issue=issue).state == "sent"


def test_a_job_that_runs_before_its_moment_waits_for_it(reviewer):
    subscribers("ann@example.com")
    at = timezone.now() + timedelta(hours=2)
    issue = publish(issue_in_review(), reviewer, at=at)
    # The worker's clock is behind the database's: the job starts before the issue is public.
    assert run_queued(now=at, rounds=1) == ["early: queued again for its moment"]
    assert _issue_mails() == []
    [job] = queued("newsletter.send_issue")
    assert job.scheduled_at == at
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        run_queued()
    assert Delivery.objects.get(issue=issue).state == "sent"


def test_an_issue_unpublished_before_its_moment_is_not_sent(reviewer):
    subscribers("ann@example.com")
    at = timezone.now() + timedelta(hours=2)
    issue = publish(issue_in_review(), reviewer, at=at)
    workflow.unpublish(issue, by=reviewer)
    with time_machine.travel(at + timedelta(seconds=1), tick=False):
        results = run_queued()
    assert results == ["not public (unpublished or rescheduled): nothing sent"]
    assert _issue_mails() == []
    assert not Delivery.objects.exists()


def test_a_rescheduled_issue_goes_at_its_new_moment_only(reviewer, other_reviewer):
    subscribers("ann@example.com")
    first = timezone.now() + timedelta(hours=2)
    later = first + timedelta(hours=3)
    issue = publish(issue_in_review(), reviewer, at=first)
    workflow.unpublish(issue, by=reviewer)  # its stories come back as drafts with it
    for item in [*issue.stories.all(), issue]:
        workflow.submit(item, by=reviewer)
    publish(issue, other_reviewer, at=later)
    with time_machine.travel(first + timedelta(seconds=1), tick=False):
        run_queued()
    assert _issue_mails() == []
    with time_machine.travel(later + timedelta(seconds=1), tick=False):
        run_queued()
    assert [m.to[0] for m in _issue_mails()] == ["ann@example.com"]


def test_an_address_unsubscribed_before_its_turn_is_skipped(reviewer):
    from newsletter.subscribing import unsubscribe

    ann, bo = subscribers("ann@example.com", "bo@example.com")
    issue = publish(issue_in_review(), reviewer)
    run_queued("newsletter.send_issue")  # deliveries made, batches queued
    unsubscribe([bo.pk])
    run_queued()
    assert [m.to[0] for m in _issue_mails()] == ["ann@example.com"]
    assert Delivery.objects.get(issue=issue, subscriber=bo).state == "skipped"


def _smtp(port):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_TIMEOUT=5,
    )


@contextlib.contextmanager
def _smtp_server(**kwargs):
    """A real SMTP server (tests.smtp.Sink) that this process sends to; yields the sink."""
    with smtp_sink(**kwargs) as (sink, port), _smtp(port):
        yield sink


def test_a_temporary_smtp_refusal_is_retried_with_back_off_then_sent(reviewer):
    subscribers("ann@example.com", "busy@example.com")
    with _smtp_server(refuse={"busy@example.com": "451 4.3.0 Try again later"}) as sink:
        issue = publish(issue_in_review(), reviewer)
        run_queued()
        busy = Delivery.objects.get(issue=issue, subscriber__email="busy@example.com")
        assert (busy.state, busy.attempts) == ("pending", 1)
        assert "451" in busy.last_error
        assert busy.next_attempt_at > timezone.now() + timedelta(seconds=50)
        # A run is queued for the retry's time, and the address is refused again, then
        # accepted: the wait doubles each time.
        [job] = queued("newsletter.send_batches")
        assert job.scheduled_at == busy.next_attempt_at
        first_retry = busy.next_attempt_at
        with time_machine.travel(first_retry + timedelta(seconds=1), tick=False):
            run_queued()
        busy.refresh_from_db()
        assert busy.attempts == 2
        assert busy.next_attempt_at - first_retry >= timedelta(seconds=119)
        del sink.refuse["busy@example.com"]
        with time_machine.travel(busy.next_attempt_at + timedelta(seconds=1), tick=False):
            run_queued()
    busy.refresh_from_db()
    assert (busy.state, busy.attempts) == ("sent", 3)
    assert sorted(sink.recipients()) == ["ann@example.com", "busy@example.com"]


@override_settings(DIGEST_NEWSLETTER_MAX_ATTEMPTS=2)
def test_a_temporary_refusal_fails_after_the_last_attempt(reviewer):
    subscribers("busy@example.com")
    with _smtp_server(refuse={"busy@example.com": "451 Try again later"}) as sink:
        issue = publish(issue_in_review(), reviewer)
        run_queued()
        assert sink.recipients() == []
        with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
            run_queued()
    busy = Delivery.objects.get(issue=issue)
    assert (busy.state, busy.attempts) == ("failed", 2)
    assert queued("newsletter.send_batches").count() == 0


def test_a_permanent_refusal_fails_at_once(reviewer):
    subscribers("ann@example.com", "nobody@example.com")
    with _smtp_server(refuse={"nobody@example.com": "550 5.1.1 No such user"}) as sink:
        issue = publish(issue_in_review(), reviewer)
        run_queued()
    nobody = Delivery.objects.get(issue=issue, subscriber__email="nobody@example.com")
    assert (nobody.state, nobody.attempts) == ("failed", 1)
    assert "550" in nobody.last_error
    assert sink.recipients() == ["ann@example.com"]


def test_a_mail_server_that_is_down_keeps_deliveries_pending(reviewer):
    from tests.smtp import free_port

    subscribers("ann@example.com")
    with _smtp(free_port()):  # nothing listens there
        issue = publish(issue_in_review(), reviewer)
        run_queued()
    delivery = Delivery.objects.get(issue=issue)
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert "Connection refused" in delivery.last_error or "ConnectionRefused" in delivery.last_error


def test_a_connection_lost_while_the_server_takes_the_message_is_never_retried(reviewer):
    subscribers("ann@example.com", "lost@example.com", "zed@example.com")
    with _smtp_server(hang_up={"lost@example.com"}) as sink:
        issue = publish(issue_in_review(), reviewer)
        run_queued()
        with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
            sending.sweep()
            run_queued()
    lost = Delivery.objects.get(issue=issue, subscriber__email="lost@example.com")
    # The server had the message when the line went dead: it may have arrived.
    assert (lost.state, lost.attempts) == ("failed", 1)
    assert "may have arrived" in lost.last_error
    assert sorted(sink.recipients()) == ["ann@example.com", "lost@example.com", "zed@example.com"]


def test_the_database_refuses_a_second_delivery_of_an_issue_to_one_subscriber(reviewer):
    from django.db import IntegrityError, transaction

    [ann] = subscribers("ann@example.com")
    issue = publish(issue_in_review(), reviewer)
    Delivery.objects.create(issue=issue, subscriber=ann)
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(issue=issue, subscriber=ann)


def test_an_older_job_for_a_moved_publication_sends_nothing(reviewer, other_reviewer):
    """Scheduled for 18:00, then moved to 12:00: the 12:00 job sends; the 18:00 one must not
    send the issue to whoever subscribed in between."""
    subscribers("ann@example.com")
    later = timezone.now() + timedelta(hours=6)
    earlier = timezone.now() + timedelta(hours=1)
    issue = publish(issue_in_review(), reviewer, at=later)
    workflow.unpublish(issue, by=reviewer)
    for item in [*issue.stories.all(), issue]:
        workflow.submit(item, by=reviewer)
    publish(issue, other_reviewer, at=earlier)
    with time_machine.travel(earlier + timedelta(seconds=1), tick=False):
        run_queued()
    subscribers("late@example.com")
    with time_machine.travel(later + timedelta(seconds=1), tick=False):
        assert run_queued() == ["not public (unpublished or rescheduled): nothing sent"]
    assert [m.to[0] for m in _issue_mails()] == ["ann@example.com"]


def test_the_sweep_fails_a_delivery_left_sending_and_never_sends_it_again(reviewer):
    ann, bo = subscribers("ann@example.com", "bo@example.com")
    publish(issue_in_review(), reviewer)
    run_queued("newsletter.send_issue")
    # A worker marked Ann's `sending`, then died before it knew what the server did.
    stuck = timezone.now() - timedelta(minutes=10)
    Delivery.objects.filter(subscriber=ann).update(state="sending", sending_since=stuck)
    interrupted, resumed, _ = sending.sweep()
    assert interrupted == 1
    run_queued()
    ann_delivery = Delivery.objects.get(subscriber=ann)
    assert ann_delivery.state == "failed"
    assert "may have arrived" in ann_delivery.last_error
    assert [m.to[0] for m in _issue_mails()] == ["bo@example.com"]


def test_the_sweep_resumes_rows_whose_claim_ran_out(reviewer):
    import uuid

    subscribers("ann@example.com")
    issue = publish(issue_in_review(), reviewer)
    run_queued("newsletter.send_issue")
    # A killed worker's claim: pending, held by a run that is gone, its lease over.
    Delivery.objects.update(claimed_by=uuid.uuid4(), lease_until=timezone.now() - timedelta(1))
    for job in queued("newsletter.send_batches"):
        from procrastinate.contrib.django import app

        app.job_manager.cancel_job_by_id(job.id, delete_job=True)
    assert sending.sweep()[1] == 1
    run_queued()
    assert Delivery.objects.get(issue=issue).state == "sent"


def test_a_claim_still_held_by_another_run_is_left_alone(reviewer):
    import uuid

    subscribers("ann@example.com")
    publish(issue_in_review(), reviewer)
    run_queued("newsletter.send_issue")
    Delivery.objects.update(claimed_by=uuid.uuid4(), lease_until=timezone.now() + timedelta(1))
    run_queued()
    assert _issue_mails() == []
    assert Delivery.objects.get().state == "pending"


def test_unpublishing_mid_send_stops_sending(reviewer):
    subscribers("ann@example.com")
    issue = publish(issue_in_review(), reviewer)
    run_queued("newsletter.send_issue")
    workflow.unpublish(issue, by=reviewer)
    run_queued()
    assert _issue_mails() == []
    assert Delivery.objects.get().state == "pending"


def test_workflow_publish_in_a_rolled_back_transaction_queues_nothing(reviewer):
    from django.db import transaction

    subscribers("ann@example.com")
    issue = issue_in_review()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.publish(issue, by=reviewer)
        raise RuntimeError
    assert queued("newsletter.send_issue").count() == 0


def test_the_email_names_each_storys_authors_and_closes_like_the_issue_page(reviewer):
    subscribers("ann@example.com")
    issue = issue_in_review(
        "Closing words",
        stories=1,
        wrapup_heading="Before you go",
        report_title="Our November report",
        report_url="https://example.com/report/",
    )
    publish(issue, reviewer)
    run_queued()
    [message] = _issue_mails()
    [(html, _kind)] = message.alternatives
    # The byline links the author's page, absolute; the text part names them too.
    assert 'By <a href="http://127.0.0.1:8000/authors/staff-writer/"' in html
    assert "By Staff Writer" in message.body
    assert "Before you go" in html and "Before you go" in message.body
    assert 'The full report: <a href="https://example.com/report/"' in html
    assert "The full report: Our November report <https://example.com/report/>" in message.body
