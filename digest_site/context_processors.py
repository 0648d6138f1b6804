from django.conf import settings
from django.urls import get_script_prefix, reverse

_NAV_NAMES = ("home", "issue_archive", "company_index", "search", "issues_feed", "issues_feed_atom")
_nav_by_prefix = {}


def _nav():
    """The masthead and footer links, reversed once per script prefix rather than per page."""
    prefix = get_script_prefix()
    nav = _nav_by_prefix.get(prefix)
    if nav is None:
        nav = _nav_by_prefix[prefix] = {name: reverse(name) for name in _NAV_NAMES}
    return nav


def site(request):
    """The publication's name and tagline, and the site-wide links, for every page."""
    return {"SITE_NAME": settings.SITE_NAME, "SITE_TAGLINE": settings.SITE_TAGLINE, "NAV": _nav()}
