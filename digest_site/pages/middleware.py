"""Serving readers from the store, and rendering and storing on a miss.

Only anonymous GET/HEAD requests with a 200 answer are stored or served from the store;
logged-in people and previews always get a fresh render. The view's decorator decides what
may be stored; the middleware stores it on the way out, with the headers the middleware
inside it added (the Content-Security-Policy among them), so a hit rebuilds none of them.
The middleware also answers every public page in the encoding the request accepts (compressed
once when stored, see `encoding`) and with 304 when the browser holds those bytes already.
"""

import time
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_vary_headers

from . import encoding, epochs, store, validators


def _seconds():
    return settings.DIGEST_PAGE_CACHE_SECONDS


def public_page(view=None, *, params=(), keep_if=None):
    """Serve an anonymous public page from the store, or render and store it.

    `params` names the query parameters the view reads; all others are ignored by the store.
    `keep_if(request)`, when given, decides whether a rendered page may be stored (search
    results for arbitrary queries must not push the site's pages out).
    """
    if view is None:
        return lambda view: public_page(view, params=params, keep_if=keep_if)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not _anonymous(request):
            response = view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD") and "Cache-Control" not in response:
                # Same content as readers get, but never kept by a shared proxy.
                response["Cache-Control"] = "private, no-cache"
            return response
        if _seconds() <= 0:
            return _rendered(request, view(request, *args, **kwargs))

        now = time.time()
        # Taken before rendering: the page belongs to the epoch it began in, so a change that
        # commits while it renders makes it unservable rather than stale.
        state = epochs.current(now)
        key = store.page_key(request, params)
        page = store.find(key, state, now) if state is not None else None
        if page is not None:
            return _answer(request, page)
        response = view(request, *args, **kwargs)
        return _rendered(request, response, key=key, state=state, now=now, keep_if=keep_if)

    wrapped.page_cache_params = params
    return wrapped


def _rendered(request, response, *, key=None, state=None, now=None, keep_if=None):
    """Add validators to a fresh render, and mark it for storing when it may be served again.
    The middleware, once every header is on, stores it and answers (see _deliver)."""
    if (
        response.status_code != 200
        or response.streaming
        or "no-store" in response.get("Cache-Control", "")
    ):
        return response
    etag = validators.etag_for(response.content)
    validators.make_public(response, etag)
    response.page_etag = etag
    if state is not None and (keep_if is None or keep_if(request)):
        expires = now + _seconds()
        if state.next_change is not None:
            expires = min(expires, state.next_change)
        if expires > now:
            response.storable = store.Storable(key, state.epoch, expires)
            response["X-Page-Cache"] = "miss"
    if key is not None and "X-Page-Cache" not in response:
        response["X-Page-Cache"] = "pass"  # rendered, not stored
    return response


def _accepted(request):
    return encoding.accepted(request.META.get("HTTP_ACCEPT_ENCODING", ""))


def _answer(request, page):
    chosen = _accepted(request) if page.encoded else None
    variant = page.encoded.get(chosen) if chosen is not None else None
    etag, content = (page.etag, page.content) if variant is None else variant
    response = HttpResponse(content)
    for name, value in page.headers:
        response[name] = value
    if variant is not None:
        response["Content-Encoding"] = chosen
    response["ETag"] = etag
    response["Content-Length"] = str(len(content))
    response["X-Page-Cache"] = "hit"
    return validators.conditional(request, response, etag)


# Set per answer: they differ between a page's encodings (or between hits and misses).
_PER_ANSWER = {"ETag", "Content-Length", "Content-Encoding", "X-Page-Cache"}


def _deliver(request, response):
    """A public page rendered now (the decorator set `page_etag`): stored if it was marked,
    then answered compressed when it may be and the request accepts it, or with 304.

    Not stored, and not compressed, when something inside set a cookie (a CSRF token, a
    message) or a nonce: those belong to one reader, and a secret in a compressed body is
    what BREACH reads.
    """
    etag = getattr(response, "page_etag", None)
    if etag is None or response.status_code != 200:
        return response
    if response.cookies or "'nonce-" in response.get("Content-Security-Policy", ""):
        return validators.conditional(request, response, etag)
    compress = encoding.compressible(response)
    if compress:
        patch_vary_headers(response, ("Accept-Encoding",))
    plain = response.content
    storable = getattr(response, "storable", None)
    encoded = {}
    if storable is not None:
        encoded = encoding.variants(plain, etag) if compress else {}
        headers = tuple((k, v) for k, v in response.items() if k not in _PER_ANSWER)
        page = store.StoredPage(storable.epoch, storable.expires, etag, plain, headers, encoded)
        store.keep(storable.key, page)
    chosen = _accepted(request) if compress else None
    if chosen is not None:
        # A page not stored (search results, the cache switched off) is compressed for this
        # answer alone.
        variant = encoded.get(chosen) or encoding.Variant(
            encoding.variant_etag(etag, chosen), encoding.compress(plain, chosen)
        )
        etag = variant.etag
        response.content = variant.content
        response["Content-Encoding"] = chosen
        response["ETag"] = etag
        response["Content-Length"] = str(len(variant.content))
    return validators.conditional(request, response, etag)


def _anonymous(request):
    """No session cookie means nobody is logged in, and asking request.user would cost a
    session look-up; with a cookie, ask."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return True
    return not request.user.is_authenticated


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
    public_page decorator renders and marks what may be stored; this stores it on the way
    out. Place it right after WhiteNoise, before the middleware whose headers pages keep.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and _seconds() > 0
        ):
            params = _page_params(request.path_info)
            if params is not None:
                now = time.time()
                state = epochs.current(now)
                page = store.find(store.page_key(request, params), state, now) if state else None
                if page is not None:
                    return _answer(request, page)
        return _deliver(request, self.get_response(request))
