from django.core.files.storage import default_storage
from django.urls import get_script_prefix, reverse
from django.utils.functional import SimpleLazyObject

from editorial import cards
from editorial.renditions import picture
from sitesettings.models import current as current_site_settings

_NAV_NAMES = (
    "home",
    "issue_archive",
    "company_index",
    "platform_index",
    "topic_index",
    "author_index",
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


_brand_card_by_brand = {}


def brand_card_image(request):
    """`og:image` of a page with no image of its own, as the head prints it: the default social
    image of the site settings, else the brand's card (editorial.cards), whose address is a
    hash of the brand, worked out once per brand."""
    site_settings = current_site_settings()
    own = picture(site_settings.social_image)
    if own is not None and own.ready:
        return cards.og_image(request, own.social(), site_settings.name)
    brand = cards.brand()
    path = _brand_card_by_brand.get(brand)
    if path is None:
        path = _brand_card_by_brand[brand] = default_storage.url(cards.brand_card_name())
    return cards.og_image(request, (path, cards.WIDTH, cards.HEIGHT, "image/png"), brand[0])


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
        "SOCIAL_IMAGE": brand_card_image(request),
    }
