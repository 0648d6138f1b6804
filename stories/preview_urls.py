"""Preview and share-link addresses; never cached, never indexed (see stories.preview)."""

from django.urls import path

from . import preview

urlpatterns = [
    path("preview/stories/<int:pk>/", preview.story_preview, name="story_preview"),
    path("preview/issues/<int:pk>/", preview.issue_preview, name="issue_preview"),
    path("share/<str:token>/", preview.share_view, name="share"),
]
