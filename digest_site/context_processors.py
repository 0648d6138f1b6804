from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from sitesettings.models import current as current_site_settings

_NAV_NAMES = (
    "home",
    "issue_archive",
    "company_index",
    "platform_index",
    "topic_index",
    "search",
    "issues_feed",
    "issues_feed_atom",
)
_nav_by_prefix = {}


def _nav():
    """The masthead and footer links, reversed once per script prefix rather than per page."""
    prefix = get_script_prefix()
    nav = _nav_by_prefix.get(prefix)
    if nav is None:
        nav = _nav_by_prefix[prefix] = {name: reverse(name) for name in _NAV_NAMES}
    return nav


def site(request):
    """The publication's settings (name, tagline, logo, favicon, footer: sitesettings) and the
    site-wide links, for every page. The settings are looked up only when a template reads them,
    at most once per page-cache epoch (no query for pages served from the store)."""
    site_settings = SimpleLazyObject(current_site_settings)
    return {
        "SITE": site_settings,
        "SITE_NAME": SimpleLazyObject(lambda: site_settings.name),
        "SITE_TAGLINE": SimpleLazyObject(lambda: site_settings.tagline),
        "NAV": _nav(),
    }
