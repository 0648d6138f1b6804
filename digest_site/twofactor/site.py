"""The admin site with a two-step sign-in (the project's `admin.site`, see apps.py)."""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache

from . import policy, views


class DigestAdminSite(admin.AdminSite):
    def get_urls(self):
        # Not wrapped in admin_view: the code and set-up steps come before any session is
        # signed in; the backup-codes view asks for a session verified by a code itself.
        return [
            path("login/code/", views.code_step, {"admin_site": self}, name="two_factor_code"),
            path("login/set-up/", views.set_up, {"admin_site": self}, name="two_factor_set_up"),
            path(
                "login/backup-codes/",
                views.new_backup_codes,
                {"admin_site": self},
                name="two_factor_backup_codes",
            ),
            *super().get_urls(),
        ]

    def each_context(self, request):
        # The "Two-factor sign-in" link beside the user's name (templates/admin/base_site.html).
        return {**super().each_context(request), "two_factor_on": policy.is_on()}

    @method_decorator(never_cache)
    def login(self, request, extra_context=None):
        """AdminSite.login with the password step that can hand over to the code step."""
        if request.method == "GET" and self.has_permission(request):
            return super().login(request, extra_context)  # redirects to the index
        context = {
            **self.each_context(request),
            "title": "Log in",
            "subtitle": None,
            "app_path": request.get_full_path(),
            "username": request.user.get_username(),
        }
        if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
            context[REDIRECT_FIELD_NAME] = reverse("admin:index", current_app=self.name)
        context.update(extra_context or {})
        request.current_app = self.name
        return views.PasswordStepView.as_view(
            extra_context=context,
            authentication_form=self.login_form or AdminAuthenticationForm,
            template_name=self.login_template or "admin/login.html",
        )(request)
