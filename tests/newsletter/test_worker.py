"""Real workers (`manage.py procrastinate worker` in child processes) against the committed
test database, and a real SMTP server (aiosmtpd): the whole journey, two workers at once, and
a worker killed in the middle of a send."""

import re
import signal
import time

import pytest
from django.db import connection
from django.test import Client

from newsletter.models import Delivery, Subscriber
from tests.newsletter.conftest import issue_in_review, publish, subscribers
from tests.processes import start_worker, stop_worker, worker_env
from tests.smtp import smtp_sink

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_until(condition, timeout=60, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout}s")


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def worker(tmp_path):
    """Start workers with `worker(smtp_port, **settings)`; all are stopped afterwards."""
    started = []

    def start(port, **extra):
        extra.setdefault("DIGEST_QUEUE_SWEEP_CRON", "* * * * * */1")
        process = start_worker(
            worker_env(connection.settings_dict, port, **extra),
            log_path=tmp_path / f"worker-{len(started)}.log",
        )
        started.append(process)
        return process

    yield start
    for process in started:
        stop_worker(process)


def test_subscribe_confirm_receive_unsubscribe_over_real_smtp(worker, reviewer, other_reviewer):
    with smtp_sink() as (sink, port):
        worker(port)
        client = Client(enforce_csrf_checks=True)
        # Ann signs up on the site and gets a confirmation email from the worker.
        page = client.get("/newsletter/")
        token = page.cookies["csrftoken"].value
        answer = client.post(
            "/newsletter/", {"email": "Ann@Example.com", "csrfmiddlewaretoken": token}
        )
        assert "Check your inbox" in answer.text
        sink.wait_for(1)
        [confirmation] = sink.to("ann@example.com")
        link = re.search(r"https?://\S+/newsletter/confirm/\S+/", confirmation.get_content())[0]
        page = client.get(_path(link))
        assert "Yes, subscribe me" in page.text
        client.post(_path(link), {"csrfmiddlewaretoken": page.cookies["csrftoken"].value})
        assert Subscriber.objects.get(email="ann@example.com").status == "confirmed"
        # Bo asked too but never confirmed.
        client.post("/newsletter/", {"email": "bo@example.com", "csrfmiddlewaretoken": token})
        sink.wait_for(2)

        # An issue is published: Ann, and only Ann, gets it once, with both headers.
        issue = publish(issue_in_review("Temu and Shein"), reviewer)
        _wait_until(
            lambda: Delivery.objects.filter(issue=issue, state="sent").count() == 1,
            what="the issue's delivery",
        )
        time.sleep(1)  # anything extra would arrive now
        issue_mails = [m for m in sink.to("ann@example.com") if "Temu and Shein" in m["Subject"]]
        assert len(issue_mails) == 1
        assert [m for m in sink.to("bo@example.com") if "Temu" in m["Subject"]] == []
        [mail] = issue_mails
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = mail["List-Unsubscribe"].strip().strip("<>")
        assert unsubscribe.startswith("http://127.0.0.1:8000/newsletter/unsubscribe/")
        assert mail.get_body(("html",)) is not None and mail.get_body(("plain",)) is not None

        # Her mail client's one-click unsubscribe: a POST with no CSRF token.
        answer = client.post(
            _path(unsubscribe),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert answer.status_code == 200
        assert Subscriber.objects.get(email="ann@example.com").status == "unsubscribed"

        # The next issue reaches nobody: no further mail.
        before = sink.count
        next_issue = publish(issue_in_review("Kuaishou results"), other_reviewer)
        _wait_until(
            lambda: (
                connection.cursor()
                .execute(
                    "SELECT count(*) FROM procrastinate_jobs WHERE status IN ('todo', 'doing')"
                    " AND task_name LIKE 'newsletter.send%%'"
                )
                .fetchone()[0]
                == 0
            ),
            what="the second issue's jobs",
        )
        time.sleep(1)
        assert sink.count == before
        assert not Delivery.objects.filter(issue=next_issue).exists()


def test_two_workers_send_each_subscriber_one_copy(worker, reviewer):
    emails = [f"reader{n}@example.com" for n in range(60)]
    subscribers(*emails)
    with smtp_sink(delay=0.01) as (sink, port):
        settings = {"DIGEST_NEWSLETTER_BATCH": 5, "DIGEST_NEWSLETTER_SEND_JOBS": 6}
        worker(port, **settings)
        worker(port, **settings)
        time.sleep(2)  # both are up and listening
        issue = publish(issue_in_review(), reviewer)
        sink.wait_for(60)
        _wait_until(
            lambda: Delivery.objects.filter(issue=issue, state="sent").count() == 60,
            what="every delivery marked sent",
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(DISTINCT worker_id) FROM procrastinate_jobs"
                " WHERE task_name = 'newsletter.send_batches' AND worker_id IS NOT NULL"
            )
            [workers] = cursor.fetchone()
        time.sleep(1)
    assert sorted(sink.recipients()) == sorted(emails)  # each once, none missing
    assert workers == 2  # both workers sent


def test_a_worker_killed_mid_send_leaves_no_duplicate_and_loses_nobody(worker, reviewer):
    emails = [f"reader{n}@example.com" for n in range(40)]
    subscribers(*emails)
    settings = {
        "DIGEST_NEWSLETTER_BATCH": 10,
        "DIGEST_NEWSLETTER_LEASE_SECONDS": 3,
        "DIGEST_NEWSLETTER_SENDING_TIMEOUT": 3,
        # One job at a time, so exactly one message is in flight when it dies (with N jobs at
        # once, up to N are, each reported the same way).
        "DIGEST_WORKER_CONCURRENCY": 1,
    }
    # A slow mail server: each message is received, then acknowledged 0.5 s later.
    with smtp_sink(delay=0.5) as (sink, port):
        first = worker(port, **settings)
        issue = publish(issue_in_review(), reviewer)
        sink.wait_for(5)
        time.sleep(0.2)  # in the middle of acknowledging a message
        first.send_signal(signal.SIGKILL)
        first.wait()
        received_before = sink.count
        assert received_before < 40
        worker(port, **settings)
        _wait_until(
            lambda: (
                not Delivery.objects.filter(issue=issue, state__in=["pending", "sending"]).exists()
            ),
            timeout=90,
            what="every delivery settled",
        )
        time.sleep(1)
    recipients = sink.recipients()
    assert sorted(set(recipients)) == sorted(emails)  # nobody lost
    assert len(recipients) == len(set(recipients))  # nobody twice
    # The one message in flight when the worker died (received, not yet acknowledged) is
    # reported as failed, "may have arrived", and not sent again; every other one is sent.
    [failed] = Delivery.objects.filter(issue=issue, state="failed").select_related("subscriber")
    assert "may have arrived" in failed.last_error
    assert failed.subscriber.email in recipients
    assert Delivery.objects.filter(issue=issue, state="sent").count() == 39
