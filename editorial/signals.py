"""Deleting a story or issue is logged wherever it happens (admin, shell, a cascade).

The admin names who deletes through `deleting_as(user)`; elsewhere the log says "—".
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import pre_delete
from django.dispatch import Signal

# Sent by workflow.publish for each object it publishes, inside the publishing transaction
# (receivers' writes commit or roll back with it): `instance` (the locked row, with its
# `published_at`: now or a scheduled time) and `first_time` (False when publishing changes to
# something already public). The newsletter queues an issue's sending on it.
went_live = Signal()

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
