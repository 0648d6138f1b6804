"""HTTP validators and freshness for public pages.

The ETag is a hash of the page's bytes, so it is true in every process and after every
restart; each compressed copy of a page has its own (pages.encoding.variant_etag). There is no Last-Modified: processes learn of a change at slightly different moments,
and a whole-second date cannot tell two versions apart within one second; a wrong 304 would
keep an unpublished story on a reader's screen.
"""

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import quote_etag

# How long browsers and proxies may reuse a page without asking again.
BROWSER_MAX_AGE = 60


def etag_for(content):
    return quote_etag(hashlib.md5(content, usedforsecurity=False).hexdigest())


def make_public(response, etag):
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"


def conditional(request, response, etag):
    """`response`, or 304 Not Modified when the browser already holds these bytes."""
    return get_conditional_response(request, etag=etag, response=response)
