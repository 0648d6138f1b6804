import re

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from digest_site import health, media
from digest_site import views as site_views
from digest_site.env import env_bool
from digest_site.limits import rate_limited
from digest_site.pages import public_page
from editorial import desk, preview
from issues import views as issue_views
from issues.models import Issue
from stories import feeds
from stories import views as story_views
from stories.models import Story

admin.site.site_header = "Digest editorial"
admin.site.site_title = "Digest editorial"
admin.site.index_title = "Newsroom"

# The reader's pages, served from the page cache (digest_site.pages) to anonymous readers.
# `params` names the query parameters a page reads; the cache ignores all others.
public = [
    path("", public_page(issue_views.home), name="home"),
    path("issues/", public_page(issue_views.issue_archive, params=("page",)), name="issue_archive"),
    path("issues/<int:number>/", public_page(issue_views.issue_detail), name="issue_detail"),
    path("stories/<slug:slug>/", public_page(story_views.story_detail), name="story_detail"),
    path("companies/", public_page(story_views.company_index), name="company_index"),
    path(
        "companies/<slug:slug>/",
        public_page(story_views.company_detail, params=("page", "direct")),
        name="company_detail",
    ),
    path("platforms/", public_page(story_views.platform_index), name="platform_index"),
    path(
        "platforms/<slug:slug>/",
        public_page(story_views.platform_detail, params=("page",)),
        name="platform_detail",
    ),
    path("topics/", public_page(story_views.topic_index), name="topic_index"),
    path(
        "topics/<slug:slug>/",
        public_page(story_views.topic_detail, params=("page",)),
        name="topic_detail",
    ),
    path("authors/", public_page(story_views.author_index), name="author_index"),
    path(
        "authors/<slug:slug>/",
        public_page(story_views.author_detail, params=("page",)),
        name="author_detail",
    ),
    path(
        "search/",
        public_page(
            rate_limited(story_views.search, group="search", setting="DIGEST_SEARCH_RATE"),
            params=("q", "page"),
            # Results for arbitrary queries would push the site's pages out of the store.
            keep_if=lambda request: not request.GET.get("q"),
        ),
        name="search",
    ),
    path("feeds/issues/", public_page(feeds.issues_rss), name="issues_feed"),
    path("feeds/issues/atom/", public_page(feeds.issues_atom), name="issues_feed_atom"),
    path("feeds/companies/<slug:slug>/", public_page(feeds.company_rss), name="company_feed"),
    path(
        "feeds/companies/<slug:slug>/atom/",
        public_page(feeds.company_atom),
        name="company_feed_atom",
    ),
    path("feeds/topics/<slug:slug>/", public_page(feeds.topic_rss), name="topic_feed"),
    path("feeds/topics/<slug:slug>/atom/", public_page(feeds.topic_atom), name="topic_feed_atom"),
]

urlpatterns = [
    *public,
    # Previews of unpublished text: staff only, never cached, never indexed.
    path("preview/stories/<int:pk>/", preview.preview_view, {"model": Story}, name="story_preview"),
    path("preview/issues/<int:pk>/", preview.preview_view, {"model": Issue}, name="issue_preview"),
    path("", include("editorial.urls")),
    # Sign-up, confirm, unsubscribe: never stored by the page cache (forms, tokens, cookies).
    path("", include("newsletter.urls")),
    path("admin/desk/", desk.editorial_desk, name="editorial_desk"),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("robots.txt", site_views.robots_txt, name="robots_txt"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    path("sitemap.xml", site_views.sitemap_index, name="sitemap"),
    path("sitemap-<slug:section>.xml", site_views.sitemap_section, name="sitemap_section"),
]

# The same 404 page for every missing thing, and a 500 page that needs no database.
handler404 = "digest_site.views.page_not_found"
handler500 = "digest_site.views.server_error"

if env_bool("DIGEST_BENCH", False):
    # The benchmark's ceiling: the same server answering the same bytes from memory.
    urlpatterns.append(path("__bench__/ceiling/", site_views.bench_ceiling))

# Uploaded images, where no web server serves them (see digest_site/media.py).
urlpatterns.append(
    re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.+)$", media.media_file)
)
