"""A session that was signed in without the code its user now needs counts for nothing."""

from django.conf import settings
from django.contrib.auth import logout

from . import policy


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware (which sets `user.is_verified()`).

    Sign-ins through the admin give the code before any session is made; this catches the
    rest: sessions from before the rule was turned on or before the user set up an app, a
    device an admin has since removed, and `client.login` / `force_login` in tests. Such a
    session is ended, so every staff check anywhere (admin, desk, previews) sees a visitor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Without a session cookie nobody is signed in (sessions are the only way in here):
        # a reader's request pays nothing for the check.
        if policy.is_on() and settings.SESSION_COOKIE_NAME in request.COOKIES:
            user = request.user
            if user.is_authenticated and not user.is_verified() and policy.needs_code(user):
                logout(request)
        return self.get_response(request)
