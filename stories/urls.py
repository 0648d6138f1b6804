from django.urls import path

from . import views

urlpatterns = [
    path("stories/<slug:slug>/", views.story_detail, name="story_detail"),
    path("companies/", views.CompanyIndexView.as_view(), name="company_index"),
    path("companies/<slug:slug>/", views.company_detail, name="company_detail"),
    path("platforms/<slug:slug>/", views.platform_detail, name="platform_detail"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
]
