from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from digest_site import views as site_views
from digest_site.env import env_bool
from editorial import desk, preview
from issues import views as issue_views
from issues.models import Issue
from stories.models import Story

admin.site.site_header = "Digest editorial"
admin.site.site_title = "Digest editorial"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("", issue_views.home, name="home"),
    path("issues/", include("issues.urls")),
    path("", include("stories.urls")),
    # Previews of unpublished text: staff only, never cached, never indexed.
    path("preview/stories/<int:pk>/", preview.preview_view, {"model": Story}, name="story_preview"),
    path("preview/issues/<int:pk>/", preview.preview_view, {"model": Issue}, name="issue_preview"),
    path("", include("editorial.urls")),
    path("admin/desk/", desk.editorial_desk, name="editorial_desk"),
    path("admin/", admin.site.urls),
    path("robots.txt", site_views.robots_txt, name="robots_txt"),
    path("sitemap.xml", site_views.sitemap_xml, name="sitemap"),
]

# The same 404 page for every missing thing, and a 500 page that needs no database.
handler404 = "digest_site.views.page_not_found"
handler500 = "digest_site.views.server_error"

if env_bool("DIGEST_BENCH", False):
    # The benchmark's ceiling: the same server answering the same bytes from memory.
    urlpatterns.append(path("__bench__/ceiling/", site_views.bench_ceiling))

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
