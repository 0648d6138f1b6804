from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from companies.admin import alias_matches
from editorial.workflow_admin import (
    ParentWorkflowInlineMixin,
    PlainHelpTextMixin,
    StatusFilter,
    WorkflowAdminMixin,
)

from .forms import SourceForm, StoryAdminForm, SuggestionRequestForm
from .models import Company, DismissedSuggestion, Platform, Source, Story


class SourceInline(ParentWorkflowInlineMixin, PlainHelpTextMixin, admin.TabularInline):
    model = Source
    form = SourceForm
    revision_children = "sources"
    fields = ["publisher", "url", "position"]
    extra = 1
    verbose_name = "source"
    verbose_name_plural = "sources (at least one before publishing; listed by position)"


@admin.register(Story)
class StoryAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    form = StoryAdminForm
    preview_url_name = "story_preview"
    list_display = [
        "headline",
        "status_badge",
        "event_date",
        "company_names",
        "author",
        "updated_at",
    ]
    list_select_related = ["author"]
    list_filter = [
        StatusFilter,
        "status",
        ("topics", admin.RelatedOnlyFieldListFilter),
        ("author", admin.RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "event_date"
    search_fields = [
        "headline",
        "summary",
        "slug",
        "companies__name",
        "companies__name_zh",
        "platforms__name",
        "topics__name",
    ]
    autocomplete_fields = ["companies", "platforms", "topics"]
    prepopulated_fields = {"slug": ["headline"]}
    inlines = [SourceInline]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "summary", "body", "event_date"]}),
        ("About", {"fields": ["companies", "platforms", "topics"]}),
        ("Image", {"fields": ["image", "image_alt"], "classes": ["collapse"]}),
    ]

    change_form_template = "admin/stories/story/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("companies")

    # -- suggested tags (companies.suggest) ------------------------------------------------------

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        editable = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        if editable:
            about = next(options for name, options in fieldsets if name == "About")
            about["fields"] = [*about["fields"], "dismissed_suggestions"]
        return fieldsets

    def get_urls(self):
        view = self.admin_site.admin_view(require_POST(self.suggestions_view))
        return [
            path("suggestions/", view, name="stories_story_suggestions"),
            *super().get_urls(),
        ]

    def suggestions_view(self, request):
        """Suggested tags for the text being typed: JSON for the story form's script.
        Staff who may add or change stories only; POST, so long bodies fit and CSRF applies."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        form = SuggestionRequestForm(request.POST)
        if not form.is_valid():
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
        return JsonResponse({"suggestions": form.suggestions()})

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        dismissed = form.cleaned_data.get("dismissed_suggestions")
        if dismissed:
            DismissedSuggestion.objects.remember(form.instance, dismissed, by=request.user)

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses NUL characters in text; nobody searches for them on purpose.
        search_term = search_term.replace("\x00", "")
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            # A story is found by its companies' and platforms' aliases too (BABA, 抖音).
            results |= queryset.filter(
                pk__in=Story.companies.through.objects.filter(
                    company__in=alias_matches(Company, term)
                ).values("story")
            ) | queryset.filter(
                pk__in=Story.platforms.through.objects.filter(
                    platform__in=alias_matches(Platform, term)
                ).values("story")
            )
        return results, may_have_duplicates

    @admin.display(description="Companies")
    def company_names(self, obj):
        return ", ".join(company.name for company in obj.companies.all())
