"""The admin's sign-in: password, then (for those who need one) the code or the set-up page."""

from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import pending, policy
from .forms import CodeForm, SetUpForm


class PasswordStepView(LoginView):
    """Django's admin sign-in; a user who needs a code is not signed in yet, only marked
    half-way (see pending)."""

    def form_valid(self, form):
        user = form.get_user()
        if not policy.needs_code(user):
            return super().form_valid(form)
        pending.begin(self.request, user, self.get_success_url())
        if policy.confirmed_device(user) is None:
            return redirect("admin:two_factor_set_up")
        return redirect("admin:two_factor_code")


def _context(request, admin_site, title, **context):
    return {**admin_site.each_context(request), "title": title, "subtitle": None, **context}


@sensitive_post_parameters("token")
@never_cache
def code_step(request, admin_site):
    """The six-digit code of the app the half-way user set up."""
    if not policy.is_on():
        raise Http404
    user = pending.user(request)
    if user is None:
        return redirect("admin:login")
    device = policy.confirmed_device(user)
    if device is None:
        return redirect("admin:two_factor_set_up")
    if pending.is_paused(request, user):
        return pending.paused_response(request, user)
    form = CodeForm(device, policy.backup_device(user), request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            return redirect(pending.finish(request, user, form.verified_device))
        if form.refused:
            pending.record_failure(request, user)
            if pending.is_paused(request, user):
                return pending.paused_response(request, user)
    return TemplateResponse(
        request,
        "admin/two_factor/code.html",
        _context(request, admin_site, "Two-factor sign-in", form=form, half_way_user=user),
    )


@sensitive_post_parameters("token")
@never_cache
def set_up(request, admin_site):
    """Set up an authenticator app: half-way through signing in (when one is required), or
    signed in already (staff who choose to)."""
    if not policy.is_on():
        raise Http404
    user = pending.user(request)
    half_way = user is not None
    if not half_way:
        if not request.user.is_authenticated:
            return redirect("admin:login")
        if not policy.may_set_up(request.user):
            raise Http404
        user = request.user
    if policy.confirmed_device(user) is not None:
        if half_way:
            return redirect("admin:two_factor_code")
        return TemplateResponse(
            request,
            "admin/two_factor/set_up_done.html",
            _context(request, admin_site, "Two-factor sign-in"),
        )
    if pending.is_paused(request, user):
        return pending.paused_response(request, user)
    form = SetUpForm(policy.unconfirmed_device(user), request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            device = form.save()
            if half_way:
                next_url = pending.finish(request, user, device)
            else:
                otp_login(request, device)
                next_url = reverse("admin:index")
            messages.success(
                request,
                "Two-factor sign-in is set up: from now on you give a code after your password.",
            )
            return _backup_codes_page(request, admin_site, user, next_url)
        if form.refused:
            pending.record_failure(request, user)
            if pending.is_paused(request, user):
                return pending.paused_response(request, user)
    return TemplateResponse(
        request,
        "admin/two_factor/set_up.html",
        _context(
            request,
            admin_site,
            "Set up two-factor sign-in",
            form=form,
            half_way=half_way,
            required=policy.is_required_for(user),
        ),
    )


def _backup_codes_page(request, admin_site, user, next_url):
    """New backup codes, shown this once (as the answer to a POST, never at an address)."""
    return TemplateResponse(
        request,
        "admin/two_factor/backup_codes.html",
        _context(
            request,
            admin_site,
            "Your backup codes",
            codes=policy.issue_backup_codes(user),
            next_url=next_url,
        ),
    )


@require_POST
@never_cache
def new_backup_codes(request, admin_site):
    """Replace the backup codes: for a session signed in with a code (so not by a password
    alone, which is what the codes stand in for)."""
    user = request.user
    if not policy.is_on() or not user.is_authenticated or not user.is_verified():
        raise Http404
    return _backup_codes_page(request, admin_site, user, reverse("admin:index"))
