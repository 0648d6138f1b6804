from django.contrib import admin
from django.db.models import Count

from editorial import workflow
from editorial.workflow_admin import (
    ParentWorkflowInlineMixin,
    PlainHelpTextMixin,
    StatusFilter,
    WorkflowAdminMixin,
)

from .forms import IssueAdminForm, IssueStoryForm, IssueStoryFormSet
from .models import Issue, IssueStory


class IssueStoryInline(ParentWorkflowInlineMixin, PlainHelpTextMixin, admin.TabularInline):
    model = IssueStory
    form = IssueStoryForm
    formset = IssueStoryFormSet
    revision_children = "entries"
    fields = ["position", "story", "story_status"]
    readonly_fields = ["story_status"]
    autocomplete_fields = ["story"]
    ordering = ["position"]
    extra = 1
    verbose_name = "story"
    verbose_name_plural = "stories, in the order they print (1 is the first)"

    @admin.display(description="Story status")
    def story_status(self, entry):
        if entry.story_id is None:
            return "—"
        return workflow.state_label(entry.story)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("story")


@admin.register(Issue)
class IssueAdmin(WorkflowAdminMixin, admin.ModelAdmin):
    form = IssueAdminForm
    preview_url_name = "issue_preview"
    list_display = ["number", "title", "status_badge", "story_count", "updated_at"]
    list_display_links = ["number", "title"]
    list_filter = [StatusFilter, "status"]
    search_fields = ["title", "intro", "stories__headline"]
    inlines = [IssueStoryInline]
    fieldsets = [
        (None, {"fields": ["number", "title", "intro", "wrapup_heading", "wrapup"]}),
        (
            "Full report",
            {
                "fields": ["report_title", "report_url"],
                "description": "A link to a longer report, printed at the end of the issue.",
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses NUL characters in text; nobody searches for them on purpose.
        search_term = search_term.replace("\x00", "")
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lstrip("#")
        # isdecimal, not isdigit: "²" is a digit that int() refuses.
        if term.isdecimal() and term.isascii() and len(term) < 10:
            results |= queryset.filter(number=int(term))
        return results, may_have_duplicates

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        latest = Issue.objects.order_by("-number").values_list("number", flat=True).first()
        initial.setdefault("number", (latest or 0) + 1)
        return initial

    @admin.display(description="Stories", ordering="entry_count")
    def story_count(self, obj):
        return obj.entry_count
