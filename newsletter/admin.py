"""Subscribers (list, CSV export, manual unsubscribe) and what each issue's sending did.

Subscribers are personal data: by default only admins see them (Django's view/change
permissions on Subscriber, plus `export_subscribers` for the CSV). Reviewers, who hold
`issues.publish_issue`, see each issue's delivery counts and can send themselves a test copy.
"""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from issues.models import Issue

from . import subscribing
from .models import Delivery, Subscriber

CSV_COLUMNS = ["email", "status", "requested_at", "confirmed_at", "unsubscribed_at"]
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value):
        return value


def subscribers_csv(queryset):
    """The rows as CSV, streamed (an export of 100,000 addresses holds a few in memory)."""
    writer = csv.writer(_Echo())
    rows = queryset.order_by("pk").values_list(*CSV_COLUMNS).iterator(chunk_size=2000)
    yield writer.writerow(CSV_COLUMNS)
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "requested_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status"]
    search_fields = ["email"]
    date_hierarchy = "requested_at"
    readonly_fields = ["email", "status", "requested_at", "confirmed_at", "unsubscribed_at"]
    fields = readonly_fields
    actions = ["unsubscribe_selected", "export_csv"]
    show_full_result_count = False

    def has_add_permission(self, request):
        # Everyone subscribes through the double opt-in: nobody is added by hand.
        return False

    @admin.action(description="Unsubscribe the selected addresses", permissions=["change"])
    def unsubscribe_selected(self, request, queryset):
        count = subscribing.unsubscribe(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"Unsubscribed {count} address(es).", messages.SUCCESS)

    @admin.action(description="Export the selected addresses as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        response = StreamingHttpResponse(
            subscribers_csv(queryset), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="subscribers-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response

    def has_export_permission(self, request):
        return request.user.has_perm("newsletter.export_subscribers")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Every delivery, filterable by issue and state; "By issue" has the counts."""

    list_display = ["issue", "subscriber", "state", "attempts", "sent_at", "last_error"]
    list_filter = ["state", "issue"]
    list_select_related = ["issue", "subscriber"]
    search_fields = ["subscriber__email"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "by-issue/",
                self.admin_site.admin_view(self.by_issue_view),
                name="newsletter_by_issue",
            ),
            path(
                "test-copy/<int:issue_id>/",
                self.admin_site.admin_view(require_POST(self.test_copy_view)),
                name="newsletter_test_copy",
            ),
            *super().get_urls(),
        ]

    @staticmethod
    def _check_reviewer(request):
        if not request.user.has_perm("issues.publish_issue"):
            raise PermissionDenied

    def by_issue_view(self, request):
        """Issues, newest first, with how many deliveries were sent, are pending, failed."""
        self._check_reviewer(request)
        page = Paginator(Issue.objects.only("number", "title", "status", "published_at"), 50)
        page = page.get_page(request.GET.get("page"))
        issues = list(page.object_list)
        counts = Delivery.objects.counts_by_issue([issue.pk for issue in issues])
        for issue in issues:
            issue.delivery_counts = counts[issue.pk]
        context = {
            **self.admin_site.each_context(request),
            "title": "Newsletter by issue",
            "issues": issues,
            "page": page,
            "opts": self.model._meta,
            "has_email": bool(request.user.email),
        }
        return TemplateResponse(request, "admin/newsletter/by_issue.html", context)

    def test_copy_view(self, request, issue_id):
        """Queue a test copy of the issue, as its newest text reads, to the reviewer."""
        from .tasks import send_test_copy

        self._check_reviewer(request)
        issue = get_object_or_404(Issue, pk=issue_id)
        if not request.user.email:
            messages.error(request, "Your account has no email address: add one first.")
        else:
            send_test_copy.defer(issue_id=issue.pk, email=request.user.email)
            messages.success(
                request, f"A test copy of {issue} is on its way to {request.user.email}."
            )
        return redirect(reverse("admin:newsletter_by_issue"))
