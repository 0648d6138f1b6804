from django.urls import path

from . import views

urlpatterns = [
    path("", views.issue_archive, name="issue_archive"),
    path("<int:number>/", views.issue_detail, name="issue_detail"),
]
