"""/newsletter/: subscribe, confirm, unsubscribe. None of these pages is stored by the page
cache (they are not public_page views; the sign-up form sets a CSRF cookie), and the two that
carry a token are neither cached nor indexed."""

import logging

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

from . import subscribing
from .forms import SubscribeForm

log = logging.getLogger(__name__)


def _over_limit(request, group, rate, key):
    """Count one request; True when it is over `rate`. A cache that cannot count lets it
    through (digest_site.limits does the same for search)."""
    try:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
    except (RedisError, OSError) as error:
        log.warning("Rate limit %s not counted: %s", group, error)
        return None
    return usage if usage and usage["should_limit"] else None


def _private(response):
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _private_page(request, template, title, *, status=200, **context):
    """A page for one reader's address or link: neither cached nor indexed."""
    meta = {"noindex": True, "title": title}
    return _private(render(request, template, {**context, "meta": meta}, status=status))


@require_http_methods(["GET", "HEAD", "POST"])
def subscribe(request):
    """The sign-up form. GET ?email= (the compact form on issue pages, which carries no token so
    that those pages stay cacheable) fills it in; only this page's own form, with its CSRF
    token, subscribes."""
    meta = {"title": "Get each issue by email"}
    if request.method != "POST":
        initial = {"email": request.GET.get("email", "")[:254]}
        response = render(
            request,
            "newsletter/subscribe.html",
            {"form": SubscribeForm(initial=initial), "meta": meta},
        )
        response["Cache-Control"] = "private, no-cache"
        return response
    limited = _over_limit(
        request, "newsletter-client", settings.DIGEST_NEWSLETTER_CLIENT_RATE, "ip"
    )
    if limited:
        response = render(
            request, "newsletter/too_many.html", {"meta": {"noindex": True}}, status=429
        )
        response["Retry-After"] = str(max(1, int(limited["time_left"])))
        return _private(response)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _private(
            render(request, "newsletter/subscribe.html", {"form": form, "meta": meta}, status=400)
        )
    email = form.cleaned_data["email"]
    # Per address: a mailbox gets a few confirmation emails at most, whoever asks. Above the
    # rate the answer is the same and nothing is sent.
    if not _over_limit(
        request,
        "newsletter-address",
        settings.DIGEST_NEWSLETTER_ADDRESS_RATE,
        lambda group, request: email,
    ):
        subscribing.request_subscription(email)
    return _private_page(request, "newsletter/check_inbox.html", "Check your inbox")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """GET shows a button (mail scanners that follow links confirm nothing); POST confirms."""
    subscriber = subscribing.subscriber_for_confirmation(token)
    if subscriber is None:
        return _private_page(
            request, "newsletter/bad_link.html", "This link does not work", status=404
        )
    if request.method == "POST":
        subscribing.confirm(subscriber)
        return _private_page(request, "newsletter/confirmed.html", "You are subscribed")
    return _private_page(
        request, "newsletter/confirm.html", "Confirm your subscription", subscriber=subscriber
    )


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no token.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET shows a button; POST (the button, or a mail client's one-click) unsubscribes at
    once. The signed token is the authority, so no CSRF token is needed: a forged POST could
    only unsubscribe the address the link was sent to."""
    subscriber = subscribing.subscriber_for_unsubscribe(token)
    if subscriber is None:
        return _private_page(
            request, "newsletter/bad_link.html", "This link does not work", status=404
        )
    if request.method == "POST":
        subscribing.unsubscribe([subscriber.pk])
        return _private_page(request, "newsletter/unsubscribed.html", "You are unsubscribed")
    return _private_page(
        request, "newsletter/unsubscribe.html", "Unsubscribe", subscriber=subscriber
    )
