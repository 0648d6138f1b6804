"""Admin for the company registry. Deleting what stories use is refused, naming the stories;
names that published stories carry are renamed by reviewers only."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import CharField, Count, F, Func, Value
from django.db.models.deletion import ProtectedError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from editorial import workflow
from editorial.workflow_admin import PlainHelpTextMixin, RaceSafeSaveMixin

from .models import Company, Platform, Topic


def _aliases_text():
    return Func(F("aliases"), Value(" "), function="array_to_string", output_field=CharField())


def alias_matches(model, term):
    """Primary keys of `model` rows with an alias containing `term` (BABA, 9988.HK, 抖音...)."""
    return (
        model.objects.alias(aliases_text=_aliases_text())
        .filter(aliases_text__icontains=term)
        .values("pk")
    )


class AliasSearchMixin:
    """Admin search also looks inside the aliases array (search_fields cannot)."""

    def get_search_results(self, request, queryset, search_term):
        # PostgreSQL refuses NUL characters in text; nobody searches for them on purpose.
        search_term = search_term.replace("\x00", "")
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            results |= queryset.filter(pk__in=alias_matches(self.model, term))
        return results, may_have_duplicates


class RefuseDeleteIfUsedMixin:
    """Deleting a company, platform or topic that stories use is refused, naming the stories.

    The models raise ProtectedError; here the confirmation page lists the stories as protected
    (so no "Yes, I'm sure" button appears) and a race that slips past it gets a message, not
    a server error.
    """

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected = list(protected)
        for obj in objs:
            for story in obj.stories_using().order_by("headline")[:20]:
                protected.append(
                    format_html(
                        'Story: <a href="{}">{}</a> uses {} “{}”; remove it from the story first',
                        reverse(
                            f"admin:{story._meta.app_label}_{story._meta.model_name}_change",
                            args=[story.pk],
                        ),
                        story.headline,
                        obj._meta.verbose_name,
                        obj,
                    )
                )
        return deleted, counts, perms_needed, protected

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ProtectedError as error:
            messages.error(request, error.args[0])
            opts = self.model._meta
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change", args=[unquote(object_id)]
                )
            )

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ProtectedError as error:
            messages.error(request, error.args[0])
            return HttpResponseRedirect(request.get_full_path())


class PublicNameMixin:
    """Names in public use are renamed by reviewers only: a company, platform or topic that a
    published story carries shows its name on public pages at once, without review."""

    public_name_fields = ["name", "slug"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if (
            obj is not None
            and not workflow.can_publish(
                request.user, self.model._meta.get_field("stories").related_model
            )
            and obj.stories_using().published().exists()
        ):
            fields += [name for name in self.public_name_fields if name not in fields]
        return fields

    def get_prepopulated_fields(self, request, obj=None):
        # A read-only slug is not filled in from the name.
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)


class ProposalAdminMixin:
    """Editors propose companies and platforms (also from a story's form, with the + beside
    its companies and platforms); what they add waits for a reviewer's approval, which the
    list's "Approve" action gives. Approval is never taken back here: what readers have seen
    stays public until it is deleted (refused while stories use it)."""

    def can_approve(self, request):
        return workflow.can_publish(
            request.user, self.model._meta.get_field("stories").related_model
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields if obj is None else [*fields, "approval"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        return fields if obj is None or "approval" in fields else [*fields, "approval"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.fieldsets is None or obj is None:
            return fieldsets
        first = dict(fieldsets[0][1])
        first["fields"] = [*first["fields"], "approval"]
        return [(fieldsets[0][0], first), *fieldsets[1:]]

    @admin.display(description="Approval")
    def approval(self, obj):
        return "Approved" if obj.approved else "Awaiting a reviewer's approval"

    def save_model(self, request, obj, form, change):
        if not change and not self.can_approve(request):
            obj.approved = False
        super().save_model(request, obj, form, change)
        if not change and not obj.approved:
            messages.info(
                request,
                f"{obj} is proposed: it can be tagged on drafts, and shows on the site once a "
                "reviewer approves it (stories naming it cannot be published before).",
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.can_approve(request):
            actions.pop("approve_selected", None)
        return actions

    @admin.action(description="Approve the selected proposals")
    def approve_selected(self, request, queryset):
        if not self.can_approve(request):
            raise PermissionDenied
        approved = 0
        for obj in queryset.pending().order_by("pk"):
            try:
                obj.approve()
            except ValidationError as error:
                messages.error(request, f"{obj} was not approved: {'; '.join(error.messages)}.")
            else:
                approved += 1
        if approved:
            messages.success(request, f"Approved {approved}; now public.")


def _count_column(description):
    @admin.display(description=description, ordering="story_count")
    def column(self, obj):
        return obj.story_count

    return column


class RegistryAdmin(
    RaceSafeSaveMixin,
    PublicNameMixin,
    PlainHelpTextMixin,
    RefuseDeleteIfUsedMixin,
    admin.ModelAdmin,
):
    """What the three registry admins share: the story count column, the rules for names in
    public use and for deleting what stories use."""

    prepopulated_fields = {"slug": ["name"]}
    story_count_column = _count_column("Stories")

    def get_queryset(self, request):
        # Explicit order: an annotated (grouped) query drops the model's default ordering.
        return super().get_queryset(request).annotate(story_count=Count("stories")).order_by("name")


class AliasedRegistryAdmin(ProposalAdminMixin, AliasSearchMixin, RegistryAdmin):
    """Companies and platforms: also found by their aliases, which the list shows; editors
    propose them, reviewers approve."""

    actions = ["approve_selected"]

    @admin.display(description="Aliases")
    def aliases_list(self, obj):
        return ", ".join(obj.aliases)


# How suggested tags treat a name that is also an ordinary word (companies.suggest).
SUGGESTIONS_FIELDSET = (
    "Suggested tags",
    {
        "fields": ["needs_second_clue", "weak_aliases", "clue_words", "false_friends"],
        "description": "Stories are offered this one as a tag when their text names it. "
        "For a name that is also an ordinary word or a person's name, say what else must be "
        "in the text, and which phrases only look like it.",
    },
)


@admin.register(Company)
class CompanyAdmin(AliasedRegistryAdmin):
    list_display = ["name", "name_zh", "parent", "aliases_list", "approved", "story_count_column"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_zh", "slug"]
    list_filter = ["approved", ("parent", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["parent"]
    fieldsets = [
        (None, {"fields": ["name", "name_zh", "slug", "aliases", "parent"]}),
        ("About", {"fields": ["description", "website", "headquarters", "logo"]}),
        SUGGESTIONS_FIELDSET,
    ]


@admin.register(Platform)
class PlatformAdmin(AliasedRegistryAdmin):
    list_display = ["name", "owner", "kind", "aliases_list", "approved", "story_count_column"]
    list_select_related = ["owner"]
    search_fields = ["name", "slug", "owner__name", "owner__name_zh"]
    list_filter = ["approved", "kind", ("owner", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["owner"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "owner", "kind", "aliases", "website", "logo"]}),
        SUGGESTIONS_FIELDSET,
    ]


@admin.register(Topic)
class TopicAdmin(RegistryAdmin):
    list_display = ["name", "slug", "story_count_column"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "description", "keywords"]
