"""Deleting a story or issue is logged wherever it happens (admin, shell, a cascade).

The admin names who deletes through `deleting_as(user)`; elsewhere the log says "—".
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import pre_delete

_acting = ContextVar("editorial_deleting_as", default=None)


@contextmanager
def deleting_as(user):
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


def _log_deletion(sender, instance, **kwargs):
    from .publishing import PublishableModel
    from .workflow import record_deletion

    if isinstance(instance, PublishableModel):
        record_deletion(instance, by=_acting.get())


def connect():
    pre_delete.connect(_log_deletion, dispatch_uid="editorial_log_deletion")
