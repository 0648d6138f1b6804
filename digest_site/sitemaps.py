"""sitemap.xml: published issues and stories, and the company, platform and topic pages."""

from types import SimpleNamespace

from django.contrib.sitemaps import Sitemap as BaseSitemap
from django.db.models import Max

from issues.models import Issue
from stories.models import Company, Platform, Story, Topic


class Sitemap(BaseSitemap):
    """One page per section: far below the 50,000-URL limit at our size, and no COUNT query."""

    @property
    def paginator(self):
        items = list(self._items()[: self.limit])
        return SimpleNamespace(page=lambda number: SimpleNamespace(object_list=items))


class IssueSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return Issue.objects.published().only("number", "published_at", "updated_at")

    def lastmod(self, issue):
        return max(issue.published_at, issue.updated_at)


class StorySitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Story.objects.published().only("slug", "published_at", "updated_at")

    def lastmod(self, story):
        return max(story.published_at, story.updated_at)


class _TagSitemap(Sitemap):
    """Tag pages that have at least one published story; lastmod is their latest publication."""

    changefreq = "weekly"
    priority = 0.5
    model = None

    def items(self):
        # Filtering before annotating makes Max() look only at the published stories.
        return (
            self.model.objects.filter(stories__in=Story.objects.published().values("pk"))
            .annotate(latest=Max("stories__published_at"))
            .only("slug")
            .order_by("name")
        )

    def lastmod(self, obj):
        return obj.latest


class CompanySitemap(_TagSitemap):
    model = Company


class PlatformSitemap(_TagSitemap):
    model = Platform


class TopicSitemap(_TagSitemap):
    model = Topic


SITEMAPS = {
    "issues": IssueSitemap,
    "stories": StorySitemap,
    "companies": CompanySitemap,
    "platforms": PlatformSitemap,
    "topics": TopicSitemap,
}
