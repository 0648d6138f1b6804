"""The sitemap: an index (/sitemap.xml) of sections (/sitemap-<section>.xml?p=N) for the site's
own pages (home, archive, indexes), published issues and stories, and the company, platform and
topic pages.

Each section is cut into pages of at most PAGE_URLS addresses, so no file nears the protocol's
limit of 50,000 and a page costs the same however large the archive grows. Items are (address
argument, lastmod) pairs; the database writes lastmod as text, so no Python datetime is built
per address.

lastmod is when readers last saw the page change (`content_changed_at`, moved by publishing,
corrections and unpublishing only; never by drafts, revisions waiting for review or a demo
reload). A page that shows several things takes the newest of them: an issue and its stories,
a company and its platforms and subsidiaries, the home page its latest issue.
"""

import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import CharField, Func, Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from companies.links import public_path
from issues.models import Issue
from stories.models import Company, Platform, Story, Topic

# The site's own pages, by URL name, and what moves their lastmod ("latest_issue": the newest
# issue with its stories; "issues": any issue or story in one; "stories": any story). A name
# that does not resolve (an index page not built yet) is left out, so the tuple may name pages
# ahead of their views.
INDEX_PAGES = (
    ("home", "latest_issue"),
    ("issue_archive", "issues"),
    ("company_index", "stories"),
    ("platform_index", "stories"),
    ("topic_index", "stories"),
    ("author_index", "stories"),
)

_W3C_FORMAT = "%Y-%m-%dT%H:%M:%S+00:00"


class W3CDateTime(Func):
    """A timestamp as the sitemap protocol writes it (W3C datetime, UTC), by PostgreSQL."""

    output_field = CharField()
    template = (
        "to_char((%(expressions)s) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+00:00\"')"
    )


def w3c(moment):
    """The same format from Python, for a lastmod computed there."""
    return moment.astimezone(datetime.UTC).strftime(_W3C_FORMAT) if moment else None


# Small enough that the first page of stories is full at a few hundred issues already, so the
# cost of one page does not grow with the archive (measured by `bench.py --growth`).
PAGE_URLS = 2000


class _Section(Sitemap):
    url_name = None
    limit = PAGE_URLS

    def get_latest_lastmod(self):
        # The index names no date per section: finding it would read every row of the section;
        # each address in the section carries its own.
        return None

    def page_count(self):
        """How many files the section needs (the index lists each): one count query."""
        return self.paginator.num_pages

    def location(self, item):
        return public_path(self.url_name, item[0])

    def lastmod(self, item):
        return item[1]


def page_dates(now=None):
    """{kind: lastmod} for INDEX_PAGES, in three queries whatever the archive's size."""
    now = now or timezone.now()
    latest = (
        Issue.objects.published(now=now)
        .with_changed_at(now)
        .order_by("-published_at", "-number")
        .values_list("changed_at", flat=True)
        .first()
    )
    issues = Issue.objects.published(now=now).aggregate(newest=Max("content_changed_at"))
    stories = Story.objects.published(now=now).aggregate(
        newest=Max("content_changed_at"),
        in_issues=Max("content_changed_at", filter=Q(issue_entries__isnull=False)),
    )
    in_issues = [d for d in (issues["newest"], stories["in_issues"]) if d]
    return {
        "latest_issue": w3c(latest),
        "issues": w3c(max(in_issues, default=None)),
        "stories": w3c(stories["newest"]),
    }


def index_pages():
    """(path, kind) of the INDEX_PAGES that exist."""
    pages = []
    for name, kind in INDEX_PAGES:
        try:
            pages.append((reverse(name), kind))
        except NoReverseMatch:
            continue
    return pages


class PageSitemap(_Section):
    """The home page, the archive and the indexes."""

    changefreq = "daily"
    priority = 0.9

    def page_count(self):
        return 1  # a handful of addresses; counting them would cost the three queries

    def items(self):
        dates = page_dates()
        return [(path, dates[kind]) for path, kind in index_pages()]

    def location(self, item):
        return item[0]


class IssueSitemap(_Section):
    changefreq = "weekly"
    priority = 0.8
    url_name = "issue_detail"
    # An issue a week, eight stories each: a page of 500 issues holds ten years, and like a page
    # of stories it is full well before the archive is large.
    limit = PAGE_URLS // 4

    def items(self):
        return (
            Issue.objects.published()
            .with_changed_at()
            .annotate(day=W3CDateTime("changed_at"))
            .order_by("-number")
            .values_list("number", "day")
        )


class StorySitemap(_Section):
    changefreq = "monthly"
    priority = 0.6
    url_name = "story_detail"

    def items(self):
        return (
            Story.objects.published()
            .annotate(day=W3CDateTime("content_changed_at"))
            .order_by("-published_at", "-pk")
            .values_list("slug", "day")
        )


class _TagSitemap(_Section):
    """Tag pages with at least one published story; lastmod is the newest change among them."""

    changefreq = "weekly"
    priority = 0.5
    model = None

    def items(self):
        # Filtering before annotating makes Max() look only at the published stories.
        return (
            self.model.objects.public()
            .filter(stories__in=Story.objects.published().values("pk"))
            .annotate(day=W3CDateTime(Max("stories__content_changed_at")))
            .order_by("name")
            .values_list("slug", "day")
        )


class CompanySitemap(_Section):
    """Companies whose timeline shows a published story: their own, their platforms' or their
    subsidiaries' (at any depth), as the page rolls them up; lastmod the newest change among
    those. Two queries; the family is walked in Python, as the page does."""

    changefreq = "weekly"
    priority = 0.5
    url_name = "company_detail"

    def items(self):
        published = Story.objects.published().values("pk")
        rows = list(
            Company.objects.annotate(
                newest=Max("stories__content_changed_at", filter=Q(stories__in=published))
            )
            .order_by("name")
            .values_list("pk", "parent_id", "slug", "newest")
        )
        via_platforms = dict(
            Platform.objects.filter(stories__in=published)
            .order_by()
            .values_list("owner_id")
            .annotate(newest=Max("stories__content_changed_at"))
        )
        own = {pk: max(filter(None, (newest, via_platforms.get(pk))), default=None)
               for pk, _, _, newest in rows}  # fmt: skip
        children = {}
        for pk, parent_id, _, _ in rows:
            children.setdefault(parent_id, []).append(pk)
        items = []
        for pk, _, slug, _ in rows:
            newest = _newest_in_family(pk, own, children)
            if newest is not None:
                items.append((slug, w3c(newest)))
        return items


def _newest_in_family(pk, own, children):
    newest, seen, todo = None, set(), [pk]
    while todo:  # the seen-set guards against a cycle an admin might create
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if own.get(current) and (newest is None or own[current] > newest):
            newest = own[current]
        todo.extend(children.get(current, ()))
    return newest


class PlatformSitemap(_TagSitemap):
    model = Platform
    url_name = "platform_detail"


class TopicSitemap(_TagSitemap):
    model = Topic
    url_name = "topic_detail"


SITEMAPS = {
    "pages": PageSitemap,
    "issues": IssueSitemap,
    "stories": StorySitemap,
    "companies": CompanySitemap,
    "platforms": PlatformSitemap,
    "topics": TopicSitemap,
}
