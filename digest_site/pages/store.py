"""The stored pages of this process, and their keys.

Each web process keeps the pages it rendered, at most DIGEST_PAGE_CACHE_ENTRIES of them (the
oldest go first). Nothing is shared between processes: a hit needs no network round trip, and
each process renders a page at most once per epoch.
"""

import threading
from collections import OrderedDict
from typing import NamedTuple

from django.conf import settings
from django.utils.http import urlencode


class StoredPage(NamedTuple):
    epoch: int
    expires: float  # epoch seconds; never after the schedule horizon
    etag: str
    content: bytes
    # Every header of the rendered response as it left the middleware inside the page cache's
    # (Content-Type, Content-Security-Policy, X-Frame-Options, X-Robots-Tag, Vary, ...), but
    # those that differ between encodings (ETag, Content-Length), set per answer.
    headers: tuple
    # {encoding: pages.encoding.Variant}, compressed once when stored; {} when not compressible.
    encoded: dict = {}


class Storable(NamedTuple):
    """What the view's decorator knows about a page it rendered, for the middleware to store
    once the page has all its headers."""

    key: str
    epoch: int
    expires: float


_pages = OrderedDict()
_lock = threading.Lock()


def page_key(request, params):
    """The page's address with only the query parameters the view reads, in a fixed order:
    /?utm_source=x is the same page as /, and must not fill the store with copies."""
    kept = [(name, request.GET[name]) for name in params if name in request.GET]
    return f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(kept)}"


def find(key, state, now):
    """The stored page for `key` if it may be served at `now` in `state` (epochs.current),
    else None."""
    page = _pages.get(key)
    if page is not None and page.epoch == state.epoch and now < page.expires:
        return page
    return None


def keep(key, page):
    with _lock:
        _pages[key] = page
        _pages.move_to_end(key)
        while len(_pages) > settings.DIGEST_PAGE_CACHE_ENTRIES:
            _pages.popitem(last=False)


def size():
    return len(_pages)


def clear():
    with _lock:
        _pages.clear()
