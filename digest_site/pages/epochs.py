"""Which stored pages are still true: epochs, started by notifications from PostgreSQL.

A change that readers can see sends `NOTIFY digest_pages` inside its own transaction
(`announce_change`, called by `invalidation`). PostgreSQL delivers it to every listening
process when, and only if, that transaction commits. Each web process keeps one listening
connection in a background thread; every notification starts a new epoch, and a page stored
in an older epoch is never served again. The generation of truth lives where the content
lives, so a cache can never be "ahead" of the database or survive a change it missed.

While the listening connection is down (PostgreSQL restarted, a network fault) notifications
may be lost: the epoch is then unknown (None) and nothing is served from the store. When the
listener is back it starts a fresh epoch, so no page stored before an outage is served after
it.

The process that makes a change starts a new epoch itself at once and again when the change
commits: it never serves its own stale pages while its notification is on the way (nor in
tests, whose transactions never commit).
"""

import itertools
import logging
import os
import threading
from typing import NamedTuple

import psycopg
from django.db import connection, connections, transaction

from .horizon import next_scheduled_publication

CHANNEL = "digest_pages"
LISTENER_NAME = "digest page cache"
# How often the listener proves its connection alive when nothing is announced.
HEARTBEAT_SECONDS = 2
# Waits between reconnection attempts, the last one repeated.
RETRY_SECONDS = (0.2, 0.5, 1, 2, 5)
# How long the first request of a process waits for the listener's first connection.
FIRST_CONNECT_SECONDS = 2

log = logging.getLogger(__name__)


class PageState(NamedTuple):
    """What a stored page must match to be served."""

    epoch: int
    # The schedule horizon: when the next scheduled publication goes public (epoch seconds).
    next_change: float | None


_epochs = itertools.count(1)
_epoch = None  # the current epoch, or None while it cannot be known
_state = None  # PageState of the current epoch, once its horizon was looked up
_listener = None  # the _Listener of this process
_starting = threading.Lock()


def _start_epoch():
    global _epoch
    _epoch = next(_epochs)


def _lose_epoch():
    global _epoch
    _epoch = None


def announce_change():
    """Tell every process that public content changes with the current transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])
    if _epoch is not None:
        _start_epoch()
        transaction.on_commit(_restart_epoch)


def _restart_epoch():
    if _epoch is not None:
        _start_epoch()


def current(now):
    """The PageState pages must match at `now`, or None when nothing may be served."""
    global _state
    if _listener is None or _listener.pid != os.getpid():
        _listen()
    epoch = _epoch
    if epoch is None:
        return None
    state = _state
    if state is not None and state.epoch == epoch:
        if state.next_change is None or now < state.next_change:
            return state
        # A scheduled publication came due: public content changed without any write.
        _start_epoch()
        epoch = _epoch
        if epoch is None:
            return None
    state = PageState(epoch, next_scheduled_publication())
    _state = state
    return state


def current_epoch():
    """This process's epoch, or None while it cannot be known (starts the listener the first
    time). For what readers' pages keep per epoch besides the pages themselves (the site
    settings, see sitesettings.models.current)."""
    if _listener is None or _listener.pid != os.getpid():
        _listen()
    return _epoch


def listening():
    """Whether this process currently knows its epoch (for /readyz)."""
    return _listener is not None and _listener.pid == os.getpid() and _epoch is not None


def _connection_params():
    params = connections["default"].get_connection_params()
    # Plain psycopg: Django's cursor class and adapters are for its own connections.
    params.pop("cursor_factory", None)
    params.pop("context", None)
    # Notice a silently dead TCP peer within seconds (ignored on unix sockets).
    params.update(keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2)
    # Named, so an operator (and a test) can find it in pg_stat_activity.
    params["application_name"] = LISTENER_NAME
    return params


class _Listener(threading.Thread):
    def __init__(self, params):
        super().__init__(name="page-cache-listener", daemon=True)
        self.pid = os.getpid()
        self.params = params
        self.connected = threading.Event()
        self.stopping = threading.Event()

    def run(self):
        attempt = 0
        while not self.stopping.is_set():
            try:
                with psycopg.connect(**self.params, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    # Anything may have changed while nobody listened.
                    _start_epoch()
                    self.connected.set()
                    if attempt:
                        log.warning("Page cache: listening again; stored pages dropped.")
                    attempt = 0
                    self._listen(conn)
            except (psycopg.Error, OSError) as error:
                if attempt == 0:
                    log.warning("Page cache: lost PostgreSQL notifications (%s).", error)
            _lose_epoch()
            self.connected.clear()
            self.stopping.wait(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1

    def _listen(self, conn):
        while not self.stopping.is_set():
            for _ in conn.notifies(timeout=HEARTBEAT_SECONDS):
                _start_epoch()
            conn.execute("SELECT 1")


def _listen():
    """Start this process's listener (once per process, also after a fork)."""
    global _listener, _state
    with _starting:
        if _listener is not None and _listener.pid == os.getpid():
            return  # another thread of this process started it meanwhile
        _lose_epoch()
        _state = None
        _listener = _Listener(_connection_params())
        _listener.start()
    _listener.connected.wait(FIRST_CONNECT_SECONDS)


def stop_listening():
    """Stop this process's listener (the test suite, before it drops its database)."""
    global _listener
    listener, _listener = _listener, None
    _lose_epoch()
    if listener is not None:
        listener.stopping.set()
        listener.join(HEARTBEAT_SECONDS + 5)
