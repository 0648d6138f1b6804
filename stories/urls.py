from django.urls import path

from . import feeds, views

urlpatterns = [
    path("stories/<slug:slug>/", views.story_detail, name="story_detail"),
    path("companies/", views.company_index, name="company_index"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("platforms/<slug:slug>/", views.platform_detail, name="platform_detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("search/", views.search, name="search"),
    path("feeds/issues/", feeds.issues_rss, name="issues_feed"),
    path("feeds/issues/atom/", feeds.issues_atom, name="issues_feed_atom"),
    path("feeds/companies/<slug:slug>/", feeds.company_rss, name="company_feed"),
    path("feeds/companies/<slug:slug>/atom/", feeds.company_atom, name="company_feed_atom"),
    path("feeds/topics/<slug:slug>/", feeds.topic_rss, name="topic_feed"),
    path("feeds/topics/<slug:slug>/atom/", feeds.topic_atom, name="topic_feed_atom"),
]
