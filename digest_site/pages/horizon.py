"""The schedule horizon: the moment the next scheduled story or issue goes public.

Scheduled content becomes public without any write, so no notification announces it; instead
every stored page expires at that moment at the latest.
"""


def next_scheduled_publication():
    """The epoch time of the earliest future publication of a story or an issue, or None."""
    from issues.models import Issue
    from stories.models import Story

    times = [
        qs.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
        for qs in (Story.objects, Issue.objects)
    ]
    times = [t.timestamp() for t in times if t is not None]
    return min(times) if times else None
