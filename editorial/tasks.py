"""The editorial engine's jobs on the task queue: workflow emails, sent off the request."""

from django.core.mail import send_mail
from procrastinate import RetryStrategy
from procrastinate.contrib.django import app


@app.task(
    name="editorial.send_email",
    queue="mail",
    # A mail server that is down gets five more tries over about five minutes.
    retry=RetryStrategy(max_attempts=5, exponential_wait=10),
)
def send_email(subject, body, recipients):
    return send_mail(subject, body, None, recipients)
