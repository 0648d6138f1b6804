from django.contrib import admin

from companies.admin import alias_matches
from editorial.workflow_admin import (
    ParentWorkflowInlineMixin,
    PlainHelpTextMixin,
    StatusFilter,
    WorkflowAdminMixin,
)

from .forms import SourceForm, StoryAdminForm
from .models import Company, Platform, Source, Story


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
        (
            "Lead image",
            {
                "fields": ["image", "image_alt", "image_caption", "image_credit"],
                "classes": ["collapse"],
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("companies")

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
