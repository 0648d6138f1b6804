from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from issues import views as issue_views

admin.site.site_header = "Digest editorial"
admin.site.site_title = "Digest editorial"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("", issue_views.home, name="home"),
    path("issues/", include("issues.urls")),
    path("", include("stories.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
