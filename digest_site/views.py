"""Site-wide public views: robots.txt, sitemap.xml, error pages, and the benchmark ceiling."""

import os
import sys
from pathlib import Path

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.utils.html import escape

from .pages import public_page
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
    """The sitemap sections' items with the host the crawler asked for.

    Written out directly: django.contrib.sitemaps' per-item machinery and template took a
    second of CPU for 5,000 URLs.
    """
    base = f"{request.scheme}://{request.get_host()}"
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']  # fmt: skip
    for sitemap_class in SITEMAPS.values():
        sitemap = sitemap_class()
        tail = (
            f"<changefreq>{sitemap.changefreq}</changefreq>"
            f"<priority>{sitemap.priority}</priority></url>"
        )
        # One page per section: far below the 50,000-URL limit of the protocol at our size.
        for item in sitemap.items()[: sitemap.limit]:
            location = escape(base + sitemap.location(item))
            lastmod = sitemap.lastmod(item).isoformat()
            parts.append(f"<url><loc>{location}</loc><lastmod>{lastmod}</lastmod>{tail}")
    parts.append("</urlset>\n")
    return HttpResponse("\n".join(parts), content_type="application/xml; charset=utf-8")


def page_not_found(request, exception=None):
    """The same page for every missing thing: a draft's URL looks exactly like a typo."""
    return render(request, "404.html", {"meta": {"title": "Page not found"}}, status=404)


def server_error(request):
    # No context processors and no database: whatever broke must not break the error page too.
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_TROUBLE):
        return database_unavailable()
    return HttpResponseServerError(loader.get_template("500.html").render())


# The database is down, unreachable, or gave up on a statement or lock (digest_site.database).
DATABASE_TROUBLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30


def database_unavailable():
    """503 with Retry-After, from a template that needs neither the database nor static files."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def bench_ceiling(request):
    """Mounted only with DIGEST_BENCH=1: the same bytes as a real page, straight from memory.

    scripts/bench.py saves a rendered page to the file named by DIGEST_BENCH_BODY; each worker
    reads it once.
    """
    body = _CEILING.get("body")
    if body is None:
        path = os.environ.get("DIGEST_BENCH_BODY")
        body = _CEILING["body"] = Path(path).read_bytes() if path else b"<!doctype html>"
    return HttpResponse(body, content_type="text/html; charset=utf-8")


_CEILING = {}
