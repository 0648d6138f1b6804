"""Two-factor sign-in for staff: a six-digit code from an authenticator app (TOTP, django-otp)
after the password.

- `policy`: who must give a code, from the DIGEST_STAFF_2FA setting (the one place for the rule).
- `pending`: the half-way state between the password and the code, kept in the session. Until
  the code is given nobody is signed in, so no staff page can be reached half-way.
- `middleware`: a session signed in without a code (older than the rule, or made by
  `client.login`) is signed out when its user needs one.
- `views`, `forms`, `site`: the admin's sign-in steps and the set-up page.
"""
