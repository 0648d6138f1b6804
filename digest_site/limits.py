"""Rate limits for public pages that cost real work per request (search).

Counted per client address (digest_site.clients.client_address, through django-ratelimit's
RATELIMIT_IP_META_KEY: the connection's address, or the one a trusted proxy forwarded) in the
shared cache, with django-ratelimit's counters. Only rendered pages count: the page cache
answers repeated requests for stored pages before this runs, and a refused request (429) is
never stored. When the cache cannot count (Redis down or slow), requests are let through: a
limit that fails closed would take search down with Redis.
"""

import logging
from functools import wraps

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def rate_limited(view, *, group, setting):
    """Wrap `view`: above the rate named by `setting` ("30/m") an address gets 429 with
    Retry-After until its window ends."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            usage = get_usage(
                request, group=group, key="ip", rate=getattr(settings, setting), increment=True
            )
        except (RedisError, OSError) as error:
            log.warning("Rate limit %s not counted: %s", group, error)
            usage = None
        if usage is not None and usage["should_limit"]:
            response = render(request, "429.html", {"meta": {"noindex": True}}, status=429)
            response["Retry-After"] = str(max(1, int(usage["time_left"])))
            response["Cache-Control"] = "no-store"
            return response
        return view(request, *args, **kwargs)

    return wrapped
