from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from editorial import workflow
from editorial.workflow_admin import (
    ParentWorkflowInlineMixin,
    PlainHelpTextMixin,
    StatusFilter,
    WorkflowAdminMixin,
)

from . import importing
from .forms import (
    ConfirmImportForm,
    ImportPostForm,
    IssueAdminForm,
    IssueStoryForm,
    IssueStoryFormSet,
)
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

    # -- importing a post ------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="issues_issue_import",
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        """Importing creates an issue and its stories: whoever may add both (editors)."""
        return self.has_add_permission(request) and request.user.has_perms(
            ["stories.add_story", "stories.add_source"]
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload (or paste) a post → a preview of what would be created → Confirm creates
        it as drafts; the preview's plan travels signed, so Confirm creates what was shown."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = {"form": ImportPostForm()}
        if request.method == "POST" and "plan" in request.POST:
            confirm = ConfirmImportForm(request.POST)
            try:
                if not confirm.is_valid():
                    raise importing.ImportRefused("The preview was lost; upload the post again.")
                plan = importing.unsign_plan(confirm.cleaned_data["plan"], request.user)
                issue = importing.create_from_plan(plan, request.user)
            except importing.ImportRefused as error:
                context["refused"] = str(error)
            else:
                messages.success(
                    request,
                    f"Imported as draft issue #{issue.number} with {len(plan['stories'])} "
                    "draft stories. Check them, then submit them for review.",
                )
                return HttpResponseRedirect(reverse("admin:issues_issue_change", args=[issue.pk]))
        elif request.method == "POST":
            form = ImportPostForm(request.POST, request.FILES)
            context["form"] = form
            if form.is_valid():
                data = form.cleaned_data
                try:
                    post = importing.read_post(data["data"], data["name"])
                    plan = importing.plan_import(post, data["number"], source_name=data["name"])
                except importing.ImportRefused as error:
                    context["refused"] = str(error)
                else:
                    context.update(
                        plan=plan,
                        stories=importing.preview_stories(plan),
                        confirm=ConfirmImportForm(
                            initial={"plan": importing.sign_plan(plan, request.user)}
                        ),
                    )
        return TemplateResponse(
            request,
            "admin/issues/issue/import.html",
            {
                **self.admin_site.each_context(request),
                "title": "Import a post",
                "opts": self.model._meta,
                **context,
            },
        )

    @admin.display(description="Stories", ordering="entry_count")
    def story_count(self, obj):
        return obj.entry_count
