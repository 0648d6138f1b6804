from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from editorial.workflow_admin import PlainHelpTextMixin

from .models import SINGLETON_PK, SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(PlainHelpTextMixin, admin.ModelAdmin):
    """One row, edited in place: the list goes straight to it (or to adding it, the first
    time). Only superusers hold its permissions unless an admin grants them: no role does."""

    fieldsets = [
        (None, {"fields": ["name", "tagline", "footer"]}),
        ("Images", {"fields": ["logo", "favicon", "social_image"]}),
    ]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False  # the defaults would silently come back; edit the row instead

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if SiteSettings.objects.filter(pk=SINGLETON_PK).exists():
            return redirect(reverse("admin:sitesettings_sitesettings_change", args=[SINGLETON_PK]))
        if not self.has_add_permission(request):
            raise PermissionDenied
        return redirect(reverse("admin:sitesettings_sitesettings_add"))
