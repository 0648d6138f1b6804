"""The task queue in tests: jobs are real rows in Procrastinate's table (deferred by the code
under test, in the test's transaction); `run_queued` runs the due ones in this process, as a
worker would, and removes them. The end-to-end tests start real workers instead."""

from django.utils import timezone
from procrastinate.contrib.django import app
from procrastinate.contrib.django.models import ProcrastinateJob


def queued(task_name=None):
    """Jobs waiting to run (any time), oldest first."""
    jobs = ProcrastinateJob.objects.filter(status="todo").order_by("id")
    return jobs.filter(task_name=task_name) if task_name else jobs


def run_queued(task_name=None, now=None, rounds=20):
    """Run the jobs due at `now` (and those they queue, while due) until none is left, for at
    most `rounds` rounds; returns their results. A job that raises is left queued and the error
    propagates (the job is queued again, as for a retry)."""
    results = []
    for _ in range(rounds):
        now_ = now or timezone.now()
        due = [
            job for job in queued(task_name) if job.scheduled_at is None or job.scheduled_at <= now_
        ]
        if not due:
            break
        for job in due:
            # Out of the queue while it runs, as a worker's job is ("doing"): its queueing
            # lock is free for the jobs it queues.
            app.job_manager.cancel_job_by_id(job.id, delete_job=True)
            task = app.tasks[job.task_name]
            try:
                results.append(task(**job.args))
            except Exception:
                task.defer(**job.args)  # back in the queue, as a worker's retry would be
                raise
    return results
