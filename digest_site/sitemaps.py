"""The sitemap: an index (/sitemap.xml) of sections (/sitemap-<section>.xml?p=N) for published
issues and stories, and the company, platform and topic pages.

Each section is cut into pages of at most PAGE_URLS addresses, so no file nears the protocol's
limit of 50,000 and a page costs the same however large the archive grows. Items are (address
argument, last-modified day) pairs computed by the database: building thousands of model
instances and parsing two timestamps for each cost more than the page.
"""

from django.contrib.sitemaps import Sitemap
from django.db.models import DateField, Max
from django.db.models.functions import Cast, Greatest

from companies.links import public_path
from issues.models import Issue
from stories.models import Company, Platform, Story, Topic


def _day(*fields):
    return Cast(Greatest(*fields) if len(fields) > 1 else fields[0], DateField())


# Small enough that the first page of stories is full at a few hundred issues already, so the
# cost of one page does not grow with the archive (measured by `bench.py --growth`).
PAGE_URLS = 2000


class _Section(Sitemap):
    url_name = None
    limit = PAGE_URLS

    def get_latest_lastmod(self):
        # The index names no date per section: finding it would read every row of the section
        # (lastmod is the later of two timestamps); each address in the section carries its own.
        return None

    def location(self, item):
        return public_path(self.url_name, item[0])

    def lastmod(self, item):
        return item[1]


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
            .annotate(day=_day("published_at", "updated_at"))
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
            .annotate(day=_day("published_at", "updated_at"))
            .order_by("-published_at", "-pk")
            .values_list("slug", "day")
        )


class _TagSitemap(_Section):
    """Tag pages with at least one published story; lastmod is their latest publication."""

    changefreq = "weekly"
    priority = 0.5
    model = None

    def items(self):
        # Filtering before annotating makes Max() look only at the published stories.
        return (
            self.model.objects.public()
            .filter(stories__in=Story.objects.published().values("pk"))
            .annotate(day=_day(Max("stories__published_at")))
            .order_by("name")
            .values_list("slug", "day")
        )


class CompanySitemap(_TagSitemap):
    model = Company
    url_name = "company_detail"


class PlatformSitemap(_TagSitemap):
    model = Platform
    url_name = "platform_detail"


class TopicSitemap(_TagSitemap):
    model = Topic
    url_name = "topic_detail"


SITEMAPS = {
    "issues": IssueSitemap,
    "stories": StorySitemap,
    "companies": CompanySitemap,
    "platforms": PlatformSitemap,
    "topics": TopicSitemap,
}
