"""Share-link addresses; never cached, never indexed (see editorial.preview).

The preview addresses name their models, so digest_site.urls declares them.
"""

from django.urls import path

from . import preview

urlpatterns = [
    path("share/<str:token>/", preview.share_view, name="share"),
]
