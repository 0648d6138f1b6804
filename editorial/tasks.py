"""The editorial engine's jobs on the task queue: workflow emails, sent off the request."""

from functools import wraps

from django.core.mail import send_mail
from django.db import close_old_connections, connection
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app


def fresh_connections(task):
    """A job gets a working database connection and leaves none broken behind: a worker's
    threads live for days, across database restarts, with no request cycle to do this."""

    def tidy():
        # Never inside a transaction (a test running jobs in its own): closing would end it.
        if not connection.in_atomic_block:
            close_old_connections()

    @wraps(task)
    def wrapped(*args, **kwargs):
        tidy()
        try:
            return task(*args, **kwargs)
        finally:
            tidy()

    return wrapped


@app.task(
    name="editorial.send_email",
    queue="mail",
    # A mail server that is down gets five more tries over about five minutes.
    retry=RetryStrategy(max_attempts=5, exponential_wait=10),
)
@fresh_connections
def send_email(subject, body, recipients):
    return send_mail(subject, body, None, recipients)
