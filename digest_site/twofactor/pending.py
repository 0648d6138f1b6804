"""The half-way state of a sign-in: the password was right, the code is still owed.

Nothing is signed in meanwhile: the session holds only who is half-way, for a few minutes.
Wrong codes are failed sign-ins for django-axes like wrong passwords, so guessing codes pauses
the account and the address exactly as guessing passwords does.
"""

import time

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib.auth import get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django.utils.crypto import constant_time_compare
from django_otp import login as otp_login

SESSION_KEY = "digest_2fa_pending"
# Time to open the app and type a code, or to set one up; then the password is asked again.
MAX_AGE_SECONDS = 10 * 60


def begin(request, user, next_url):
    # A fresh session key: whoever knew the old one must not inherit the half-way state.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "user_id": user.pk,
        "backend": user.backend,
        # A password changed meanwhile ends the half-way state, as it ends sessions.
        "auth_hash": user.get_session_auth_hash(),
        "next": next_url,
        "started": time.time(),
    }


def clear(request):
    request.session.pop(SESSION_KEY, None)


def user(request):
    """The account half-way through signing in on this session, or None."""
    data = request.session.get(SESSION_KEY)
    if not data:
        return None
    if time.time() - data["started"] > MAX_AGE_SECONDS:
        clear(request)
        return None
    found = get_user_model()._default_manager.filter(pk=data["user_id"], is_active=True).first()
    if found is None or not constant_time_compare(found.get_session_auth_hash(), data["auth_hash"]):
        clear(request)
        return None
    found.backend = data["backend"]
    return found


def finish(request, user, device):
    """Sign the user in, verified by `device`; returns where they were going."""
    next_url = request.session[SESSION_KEY]["next"]
    clear(request)
    login(request, user, backend=user.backend)
    otp_login(request, device)
    return next_url


def _credentials(user):
    return {"username": user.get_username()}


def is_paused(request, user):
    """Whether django-axes refuses sign-ins for this account or this address right now."""
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def paused_response(request, user):
    clear(request)
    return get_lockout_response(request, credentials=_credentials(user))


def record_failure(request, user):
    """A wrong code counts as a failed sign-in; AxesMiddleware answers with the pause page
    when it was the last one allowed."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
