"""Handing one message to the mail server, and knowing what became of it.

Django's SMTP backend says "it failed" without saying where; the newsletter needs to know
whether the server may have accepted the message. So with the SMTP backend the conversation
is held here, step by step, with the same EMAIL_* settings: an error before the message's body
was sent means it was not delivered (try again later, or give up if the server refused it for
good); a connection lost or timed out while the body was being sent or acknowledged means it
may have arrived, and it is never sent again (UNCERTAIN). Other backends (console in
development, memory in tests) go through Django's own send_messages().
"""

import contextlib
import smtplib
import ssl
from email.utils import parseaddr
from enum import Enum

from django.conf import settings
from django.core.mail import get_connection

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class Outcome(Enum):
    SENT = "sent"
    RETRY = "retry"  # not delivered; may succeed later
    REFUSED = "refused"  # not delivered; the server refused it for good (5xx)
    UNCERTAIN = "uncertain"  # may have arrived: never send it again


def _by_code(code, text):
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return (Outcome.REFUSED if 500 <= code < 600 else Outcome.RETRY), f"{code} {text}"


class Courier:
    """One connection to the mail server, reused for a batch. Use as a context manager."""

    def __init__(self):
        self.smtp = settings.EMAIL_BACKEND == SMTP_BACKEND
        self.connection = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.connection is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.connection.quit()
            self.connection = None

    def _drop(self):
        try:
            if self.connection is not None:
                self.connection.close()
        finally:
            self.connection = None

    def _open(self):
        timeout = settings.EMAIL_TIMEOUT
        if settings.EMAIL_USE_SSL:
            connection = smtplib.SMTP_SSL(
                settings.EMAIL_HOST,
                settings.EMAIL_PORT,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            connection = smtplib.SMTP(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=timeout)
            if settings.EMAIL_USE_TLS:
                connection.starttls(context=ssl.create_default_context())
        if settings.EMAIL_HOST_USER:
            connection.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        self.connection = connection

    def send(self, message):
        """Hand `message` (one recipient) over; returns (Outcome, error text)."""
        if not self.smtp:
            try:
                get_connection().send_messages([message])
            except Exception as error:  # any backend, any failure: nothing was delivered
                return Outcome.RETRY, repr(error)
            return Outcome.SENT, ""
        sender = parseaddr(message.from_email)[1]
        [recipient] = message.recipients()
        body = message.message().as_bytes(linesep="\r\n")
        # Before DATA: nothing is delivered whatever goes wrong.
        try:
            if self.connection is None:
                self._open()
            self.connection.ehlo_or_helo_if_needed()
            code, text = self.connection.mail(sender)
            if code != 250:
                self.connection.rset()
                return _by_code(code, text)
            code, text = self.connection.rcpt(recipient)
            if code not in (250, 251):
                self.connection.rset()
                return _by_code(code, text)
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            return Outcome.RETRY, repr(error)
        try:
            self.connection.data(body)
        except smtplib.SMTPResponseException as error:
            # The server answered, so it knows it did not take the message.
            try:
                self.connection.rset()
            except (smtplib.SMTPException, OSError):
                self._drop()
            return _by_code(error.smtp_code, error.smtp_error)
        except (smtplib.SMTPException, OSError) as error:
            self._drop()
            return Outcome.UNCERTAIN, repr(error)
        return Outcome.SENT, ""
