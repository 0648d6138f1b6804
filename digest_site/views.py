"""Site-wide public views: robots.txt, sitemap.xml, error pages, and the benchmark ceiling."""

from django.contrib.sites.requests import RequestSite
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse

from .cache import public_page
from .sitemaps import SITEMAPS


@public_page
def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /preview/",
        "Disallow: /share/",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


@public_page
def sitemap_xml(request):
    """Like django.contrib.sitemaps' view, but with the host the crawler asked for."""
    site = RequestSite(request)
    urls = []
    for sitemap_class in SITEMAPS.values():
        urls.extend(sitemap_class().get_urls(site=site, protocol=request.scheme))
    return render(
        request, "sitemap.xml", {"urlset": urls}, content_type="application/xml; charset=utf-8"
    )


def page_not_found(request, exception=None):
    """The same page for every missing thing: a draft's URL looks exactly like a typo."""
    return render(request, "404.html", status=404)


def server_error(request):
    # No context processors and no database: whatever broke must not break the error page too.
    return HttpResponseServerError(loader.get_template("500.html").render())


def bench_ceiling(request):
    """Mounted only with DIGEST_BENCH=1: the same bytes as a real page, straight from memory."""
    return HttpResponse(_CEILING["body"], content_type="text/html; charset=utf-8")


_CEILING = {"body": b"<!doctype html><title>ceiling</title>"}


def set_ceiling_body(body):
    _CEILING["body"] = body
