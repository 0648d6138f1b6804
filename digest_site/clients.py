"""Which address a request comes from, for sign-in throttling and rate limits.

Without a proxy it is the connection's address (REMOTE_ADDR), and X-Forwarded-For is ignored:
anyone can write that header. Behind proxies that each append the address they saw to
X-Forwarded-For (nginx's $proxy_add_x_forwarded_for does), DIGEST_TRUSTED_PROXIES says how
many there are, and the client is the entry the outermost of them wrote: counted from the
right, since anything left of it came from the client and may be invented.
"""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's IP address as a string (used by django-axes and django-ratelimit)."""
    remote = request.META.get("REMOTE_ADDR", "")
    hops = settings.DIGEST_TRUSTED_PROXIES
    if hops <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if entry.strip()
    ]
    if len(forwarded) < hops:
        # Fewer entries than proxies: the request did not come through all of them (or a proxy
        # is misconfigured). The connection's address cannot be forged; count that.
        return remote
    candidate = forwarded[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
