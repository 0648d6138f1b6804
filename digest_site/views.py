"""Site-wide public views: robots.txt, the favicon, the sitemap, error pages, and the benchmark
ceiling."""

import os
import sys
from pathlib import Path

from django.contrib.sitemaps.views import SitemapIndexItem
from django.core.paginator import InvalidPage
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, HttpResponseServerError
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import escape

from sitesettings.models import current as current_site_settings

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


def favicon(request):
    """/favicon.ico, which browsers and feed readers ask for whatever the page says: the icon
    of the site settings, or the built-in one. A redirect (kept an hour), so one file serves."""
    icon = current_site_settings().favicon
    response = redirect(icon.url if icon else static("favicon.png"))
    response["Cache-Control"] = "public, max-age=3600"
    return response


@public_page
def sitemap_index(request):
    """/sitemap.xml: every page of every section, in django.contrib.sitemaps' index format.

    Not its index view: that takes the host from the Sites framework's row, while every address
    here uses the host the crawler asked for (as the feeds do). A count query per section
    (two for companies, whose families are rolled up; none for the site's own few pages).
    """
    base = f"{request.scheme}://{request.get_host()}"
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        location = base + reverse("sitemap_section", kwargs={"section": section})
        entries.append(SitemapIndexItem(location))
        for page in range(2, sitemap_class().page_count() + 1):
            entries.append(SitemapIndexItem(f"{location}?p={page}"))
    return render(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )


@public_page(params=("p",))
def sitemap_section(request, section):
    """One page (?p=N) of one section, with the host the crawler asked for.

    Written out directly: django.contrib.sitemaps' per-item machinery and template took a
    second of CPU for 5,000 URLs. Two queries: the section's count and the page's items (the
    site's own pages: three, their dates; companies: two, the family roll-up).
    """
    sitemap_class = SITEMAPS.get(section)
    if sitemap_class is None:
        raise Http404("No such sitemap section.")
    sitemap = sitemap_class()
    try:
        page = sitemap.paginator.page(request.GET.get("p", "1"))
    except InvalidPage:
        raise Http404("No such sitemap page.") from None
    base = f"{request.scheme}://{request.get_host()}"
    tail = (
        f"<changefreq>{sitemap.changefreq}</changefreq>"
        f"<priority>{sitemap.priority}</priority></url>"
    )
    parts = ['<?xml version="1.0" encoding="UTF-8"?>\n'
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']  # fmt: skip
    for item in page.object_list:
        location = escape(base + sitemap.location(item))
        lastmod = sitemap.lastmod(item)
        lastmod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
        parts.append(f"<url><loc>{location}</loc>{lastmod}{tail}")
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
