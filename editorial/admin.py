from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from .models import Revision, ShareLink, Transition


class ReadOnlyRecordAdmin(admin.ModelAdmin):
    """Records of what happened (the log, revisions): nobody adds, edits or deletes them."""

    target_view = "change"  # where the object column links to

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Object")
    def target_link(self, obj):
        model = obj.content_type.model_class()
        if model is None:
            return "—"
        opts = model._meta
        return format_html(
            '<a href="{}">{} #{}</a>',
            reverse(
                f"admin:{opts.app_label}_{opts.model_name}_{self.target_view}", args=[obj.object_id]
            ),
            opts.verbose_name,
            obj.object_id,
        )


@admin.register(Transition)
class TransitionAdmin(ReadOnlyRecordAdmin):
    """The audit trail: read-only for everyone, superusers included."""

    list_display = ["at", "target_link", "action", "from_status", "to_status", "by", "comment"]
    list_select_related = ["by", "content_type"]
    list_filter = ["action", "content_type", ("by", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["comment", "by__username"]
    date_hierarchy = "at"

    target_view = "change"


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    """Links are created from a story's or issue's page (the token is shown once, there)."""

    list_display = ["__str__", "note", "created_by", "created_at", "expires_at", "revoked_at"]
    list_select_related = ["created_by", "content_type"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["note"]
    readonly_fields = ["content_type", "object_id", "created_by", "created_at", "expires_at"]
    fields = ["content_type", "object_id", "note", "created_by", "created_at", "expires_at"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Revoke selected links", permissions=["change"])
    def revoke_selected(self, request, queryset):
        from . import preview

        links = list(queryset.filter(revoked_at__isnull=True))
        for link in links:
            preview.revoke(link)
        messages.success(request, f"{len(links)} share link(s) revoked.")


@admin.register(Revision)
class RevisionAdmin(ReadOnlyRecordAdmin):
    """Every saved text, read-only; compare and restore them from the object's own page."""

    list_display = ["__str__", "target_link", "created_by", "created_at", "note"]
    list_select_related = ["created_by", "content_type"]
    list_filter = ["content_type", ("created_by", admin.RelatedOnlyFieldListFilter)]
    date_hierarchy = "created_at"

    target_view = "revisions"
