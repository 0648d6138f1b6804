"""Who gets an email at each step, and a real SMTP conversation with a local server."""

import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import override_settings

from editorial import workflow
from stories.models import Status
from tests.factories import make_company, make_issue, make_story
from tests.queue import queued, run_queued

pytestmark = pytest.mark.django_db


def _story(status=Status.IN_REVIEW, **kwargs):
    return make_story(status=status, companies=[make_company()], **kwargs)


def test_submitting_emails_the_reviewers_only(
    editor, reviewer, other_reviewer, django_capture_on_commit_callbacks
):
    story = _story(Status.DRAFT, author=editor, headline="Baidu opens Ernie to all")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(story, by=editor)
    run_queued()
    [message] = mail.outbox
    assert sorted(message.to) == ["rita@example.com", "rob@example.com"]
    assert message.subject == "Awaiting review: Baidu opens Ernie to all"
    assert f"/admin/stories/story/{story.pk}/change/" in message.body


def test_a_reviewer_who_submits_is_not_emailed_about_it(
    reviewer, other_reviewer, django_capture_on_commit_callbacks
):
    story = _story(Status.DRAFT, author=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(story, by=reviewer)
    run_queued()
    [message] = mail.outbox
    assert message.to == ["rob@example.com"]


def test_requesting_changes_emails_the_author_with_the_comment(
    editor, reviewer, django_capture_on_commit_callbacks
):
    story = _story(author=editor, headline="Meituan drones")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_changes(story, by=reviewer, comment="Which city? Add it to the summary.")
    run_queued()
    [message] = mail.outbox
    assert message.to == ["erin@example.com"]
    assert "Which city? Add it to the summary." in message.body
    assert message.subject == "Changes requested: Meituan drones"


def test_publishing_emails_the_author(editor, reviewer, django_capture_on_commit_callbacks):
    story = _story(author=editor, headline="Tmall sales record")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(story, by=reviewer)
    run_queued()
    [message] = mail.outbox
    assert message.to == ["erin@example.com"]
    assert "is now live" in message.body
    assert f"/stories/{story.slug}/" in message.body


def test_publishing_an_issue_emails_the_authors_of_its_stories(
    editor, other_editor, reviewer, django_capture_on_commit_callbacks
):
    stories = [_story(author=editor), _story(author=other_editor)]
    issue = make_issue(stories=stories, status=Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.publish(issue, by=reviewer)
    run_queued()
    assert sorted(m.to[0] for m in mail.outbox) == ["ed@example.com", "erin@example.com"]


def test_workflow_email_waits_in_the_queue_not_in_the_request(
    editor, reviewer, django_capture_on_commit_callbacks
):
    story = _story(Status.DRAFT, author=editor, headline="Pinduoduo results")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(story, by=editor)
    assert mail.outbox == []
    [job] = queued("editorial.send_email")
    assert job.args["subject"] == "Awaiting review: Pinduoduo results"
    run_queued()
    assert [m.subject for m in mail.outbox] == ["Awaiting review: Pinduoduo results"]


def test_a_refused_step_sends_nothing(editor, reviewer, django_capture_on_commit_callbacks):
    story = _story(author=reviewer)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(workflow.NotAllowed):
        workflow.publish(story, by=reviewer)
    run_queued()
    assert mail.outbox == []


def test_a_failed_bulk_action_sends_nothing(editor, django_capture_on_commit_callbacks, reviewer):
    ok, stuck = _story(Status.DRAFT, author=editor), _story(Status.PUBLISHED, author=editor)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(workflow.WorkflowError),
    ):
        workflow.bulk([ok, stuck], workflow.Action.SUBMIT, by=editor)
    run_queued()
    assert mail.outbox == []


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, collector
    controller.stop()


def test_changes_requested_email_goes_over_real_smtp(
    smtp_server, editor, reviewer, django_capture_on_commit_callbacks
):
    controller, collector = smtp_server
    story = _story(author=editor, headline="JD.com 618 results")
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST=controller.hostname,
        EMAIL_PORT=controller.port,
        EMAIL_USE_TLS=False,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.request_changes(story, by=reviewer, comment="Add the GMV figure — 数字.")
        assert collector.messages == []  # queued: the request itself sends nothing
        run_queued()
    [envelope] = collector.messages
    assert envelope.rcpt_tos == ["erin@example.com"]
    text = envelope.content.decode()
    assert "Subject: Changes requested: JD.com 618 results" in text
    from email import message_from_bytes

    body = message_from_bytes(envelope.content).get_payload(decode=True).decode()
    assert "Add the GMV figure — 数字." in body


def test_a_mail_server_that_is_down_does_not_undo_the_step(
    editor, reviewer, django_capture_on_commit_callbacks
):
    story = _story(author=editor)
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=_free_port(),  # nothing listens there
        EMAIL_TIMEOUT=2,
    ):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.publish(story, by=reviewer)
        # The worker's try fails and the job stays queued, for its retries with back-off.
        with pytest.raises(OSError):
            run_queued()
    story.refresh_from_db()
    assert story.status == Status.PUBLISHED
    [job] = queued("editorial.send_email")
    assert job.args["recipients"] == ["erin@example.com"]


def test_a_headline_with_a_line_break_still_gets_its_email(
    editor, reviewer, django_capture_on_commit_callbacks
):
    story = _story(Status.DRAFT, author=editor, headline="Douyin\r\nBcc: someone@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(story, by=editor)
    run_queued()
    [message] = mail.outbox
    assert message.subject == "Awaiting review: Douyin Bcc: someone@example.com"
    assert message.bcc == []
