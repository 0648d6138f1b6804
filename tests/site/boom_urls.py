"""The site's URLs plus one view that fails, to see the 500 page a reader would get."""

from django.urls import path

from digest_site.urls import handler404, handler500
from digest_site.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("deliberate failure for the 500 page test")


urlpatterns = [*site_urlpatterns, path("boom/", boom)]
__all__ = ["handler404", "handler500", "urlpatterns"]
