"""Server-side cache of rendered public pages, and HTTP validators for browsers and proxies.

Correctness rules:
- A *generation* token lives in the shared cache (Redis in production, so every gunicorn worker
  sees the same one). Every stored page carries the generation it was rendered under and is
  ignored once the token changes. Saving or deleting any content model changes it (signals),
  both at once and again when the transaction commits: a worker that rendered from the old data
  in between stores its page under a dead generation.
- A stored page never outlives the next scheduled publication (the earliest future
  published_at, looked up once per generation), so a scheduled story appears on time without a
  cron job.
- Only anonymous GET/HEAD requests with a 200 answer are stored or served from the cache;
  logged-in people and previews always get a fresh render.
"""

import hashlib
import time
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag, urlencode

STATE_KEY = "digest:pages:state"
# The Last-Modified second of the newest generation; kept when the state is dropped so that
# every new generation gets a strictly later one (see current_state).
LASTMOD_KEY = "digest:pages:lastmod"
PAGE_KEY_PREFIX = "digest:page:"
# Headers a stored page must carry again when it is served from the cache.
_KEPT_HEADERS = ("X-Robots-Tag",)
# How long browsers and proxies may reuse a page without asking again.
BROWSER_MAX_AGE = 60


def _page_seconds():
    return getattr(settings, "DIGEST_PAGE_CACHE_SECONDS", 300)


def bump_generation(**kwargs):
    """Invalidate every stored page, now and again once the current transaction commits."""
    cache.delete(STATE_KEY)
    transaction.on_commit(lambda: cache.delete(STATE_KEY))


def _next_change(now_ts):
    """The epoch time of the next scheduled publication of a story or an issue, or None."""
    from issues.models import Issue
    from stories.models import Story

    times = [
        qs.scheduled().order_by("published_at").values_list("published_at", flat=True).first()
        for qs in (Story.objects, Issue.objects)
    ]
    times = [t.timestamp() for t in times if t is not None]
    return min(times) if times else None


def current_state(state, now_ts):
    """(generation, next_change, last_modified), recomputed when missing or when a scheduled
    publication came due.

    Last-Modified has one-second resolution, so each new state takes a second strictly later
    than the previous one: a page changed within the second it was rendered still fails an
    If-Modified-Since check.
    """
    if state is None or (state[1] is not None and now_ts >= state[1]):
        generation = uuid.uuid4().hex
        last_modified = max(int(now_ts), (cache.get(LASTMOD_KEY) or 0) + 1)
        cache.set(LASTMOD_KEY, last_modified, timeout=None)
        state = (generation, _next_change(now_ts), last_modified)
        cache.set(STATE_KEY, state, timeout=None)
    return state


def page_key(request, params):
    """The page's address with only the query parameters the view reads, in a fixed order:
    /?utm_source=x is the same page as /, and must not fill the cache with copies."""
    kept = [(name, request.GET.get(name)) for name in params if name in request.GET]
    url = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(kept)}"
    return PAGE_KEY_PREFIX + hashlib.md5(url.encode(), usedforsecurity=False).hexdigest()


def _validators(response, last_modified):
    etag = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    return etag


def _public_headers(response):
    response["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"


def _from_entry(entry):
    _, _, etag, last_modified, content_type, content, headers = entry
    response = HttpResponse(content, content_type=content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    for name, value in headers:
        response[name] = value
    _public_headers(response)
    return response


def public_page(view=None, *, params=()):
    """Serve an anonymous public page from the shared cache, or render and store it.

    `params` names the query parameters the view reads; all others are ignored by the cache.
    """
    if view is None:
        return lambda view: public_page(view, params=params)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not _anonymous(request):
            response = view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD") and "Cache-Control" not in response:
                # Same content as readers get, but never kept by a shared proxy.
                response["Cache-Control"] = "private, no-cache"
            return response

        if _page_seconds() <= 0:
            return _uncached(request, view(request, *args, **kwargs))

        now_ts = time.time()
        key = page_key(request, params)
        state, entry = _lookup(key, now_ts)
        if entry is not None:
            return _hit(request, entry)

        response = view(request, *args, **kwargs)
        if (
            response.status_code != 200
            or response.streaming
            or "no-store" in response.get("Cache-Control", "")
        ):
            return response
        last_modified = state[2]
        etag = _validators(response, last_modified)
        _public_headers(response)
        expires = now_ts + _page_seconds()
        if state[1] is not None:
            expires = min(expires, state[1])
        if expires > now_ts:
            headers = tuple((name, response[name]) for name in _KEPT_HEADERS if name in response)
            entry = (
                state[0],
                expires,
                etag,
                last_modified,
                response["Content-Type"],
                response.content,
                headers,
            )
            cache.set(key, entry, timeout=max(1, int(expires - now_ts) + 1))
            _remember(key, entry)
        response["X-Page-Cache"] = "miss"
        return get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )

    wrapped.page_cache_params = params
    return wrapped


def _uncached(request, response):
    """With the page cache off (production without a shared cache) there is no state every
    worker agrees on, so no Last-Modified either: the ETag, a hash of the page, is always true."""
    if response.status_code != 200 or response.streaming:
        return response
    if "no-store" in response.get("Cache-Control", ""):
        return response
    etag = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
    response["ETag"] = etag
    _public_headers(response)
    return get_conditional_response(request, etag=etag, response=response)


def _anonymous(request):
    """No session cookie means nobody is logged in, and asking request.user would cost a
    session look-up; with a cookie, ask."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return not request.user.is_authenticated


# Each worker keeps its own copies of the pages it served, checked on every request against the
# generation in the shared cache: a hit costs one tiny round trip instead of fetching and
# unpickling the whole page from Redis each time.
_local = {}
_LOCAL_MAX = 256


def _valid(entry, state, now_ts):
    return entry is not None and entry[0] == state[0] and entry[1] > now_ts


def _remember(key, entry):
    if len(_local) >= _LOCAL_MAX:
        _local.pop(next(iter(_local)))  # the oldest
    _local[key] = entry


def _lookup(key, now_ts):
    """(state, the stored entry if it is still valid): one round trip to the shared cache."""
    entry = _local.get(key)
    if entry is not None:
        state = current_state(cache.get(STATE_KEY), now_ts)
        if _valid(entry, state, now_ts):
            return state, entry
        _local.pop(key, None)
        entry = cache.get(key)  # another worker may have stored a fresh copy
    else:
        found = cache.get_many([STATE_KEY, key])
        state = current_state(found.get(STATE_KEY), now_ts)
        entry = found.get(key)
    if _valid(entry, state, now_ts):
        _remember(key, entry)
        return state, entry
    return state, None


def _hit(request, entry):
    response = _from_entry(entry)
    response["X-Page-Cache"] = "hit"
    return get_conditional_response(
        request, etag=entry[2], last_modified=int(entry[3]), response=response
    )


_params_by_path = {}
_PATHS_MAX = 2048


def _page_params(path):
    """The query parameters of the public page at `path`, or None if it is not one.

    Resolving costs as much as serving a stored page, so the answer is remembered per path
    (the URL configuration does not change while a process runs).
    """
    try:
        return _params_by_path[path]
    except KeyError:
        pass
    try:
        params = getattr(resolve(path).func, "page_cache_params", None)
    except Resolver404:
        params = None
    if len(_params_by_path) >= _PATHS_MAX:
        _params_by_path.clear()
    _params_by_path[path] = params
    return params


class PageCacheMiddleware:
    """Answers anonymous requests for stored public pages before the rest of the middleware.

    Sessions, authentication, CSRF and messages have nothing to add to a stored page for a
    reader without a session cookie; skipping them is most of what makes a hit cheap. Misses,
    and everyone with a session cookie, go through the whole stack to the view, whose
    public_page decorator renders and stores. Place it right after WhiteNoise.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and (
            settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            response = self._stored(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _stored(self, request):
        params = _page_params(request.path_info)
        if params is None:
            return None
        _, entry = _lookup(page_key(request, params), time.time())
        if entry is None:
            return None
        response = _hit(request, entry)
        # What the skipped middleware would have added to the stored page.
        response.setdefault("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY"))
        return response


def connect_signals():
    from issues.models import Issue, IssueStory
    from stories.models import Company, Platform, Source, Story, Topic

    for model in (Story, Issue, IssueStory, Source, Company, Platform, Topic):
        for signal in (post_save, post_delete):
            signal.connect(bump_generation, sender=model, dispatch_uid=f"pages_{signal}_{model}")
    for through in (Story.companies.through, Story.platforms.through, Story.topics.through):
        m2m_changed.connect(bump_generation, sender=through, dispatch_uid=f"pages_m2m_{through}")
