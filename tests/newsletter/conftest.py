from editorial import workflow
from newsletter.models import Subscriber
from stories.models import Status
from tests.factories import make_company, make_issue, make_story


def subscribers(*emails, status=Subscriber.Status.CONFIRMED):
    return [Subscriber.objects.create(email=email, status=status) for email in emails]


def issue_in_review(title="Alibaba splits in six", stories=2, **fields):
    """An issue in review with `stories` stories in review, ready to publish."""
    return make_issue(
        **fields,
        title=title,
        status=Status.IN_REVIEW,
        intro="This week: **six** companies from one.",
        wrapup="See you next week.",
        stories=[
            make_story(
                f"Story {n} of {title}",
                status=Status.IN_REVIEW,
                companies=[make_company()],
                body=f"Body {n}, with [a link](https://example.com/{n}) and [ours](/companies/).",
            )
            for n in range(1, stories + 1)
        ],
    )


def publish(issue, reviewer, at=None):
    workflow.publish(issue, by=reviewer, at=at)
    issue.refresh_from_db()
    return issue
