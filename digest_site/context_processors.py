from django.conf import settings
from django.core.files.storage import default_storage
from django.urls import get_script_prefix, reverse

from editorial import cards

_NAV_NAMES = ("home", "issue_archive", "company_index", "search", "issues_feed", "issues_feed_atom")
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
    """`og:image` of a page with no image of its own: the brand's card (editorial.cards), as
    the head prints it. Its address is a hash of the brand, worked out once per brand."""
    brand = cards.brand()
    path = _brand_card_by_brand.get(brand)
    if path is None:
        path = _brand_card_by_brand[brand] = default_storage.url(cards.brand_card_name())
    return cards.og_image(request, (path, cards.WIDTH, cards.HEIGHT, "image/png"), brand[0])


def site(request):
    """The publication's name and tagline, the site-wide links and the image a shared page
    shows when it has none of its own, for every page."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_TAGLINE": settings.SITE_TAGLINE,
        "NAV": _nav(),
        "SOCIAL_IMAGE": brand_card_image(request),
    }
