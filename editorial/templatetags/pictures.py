"""`{% picture %}`: a stored image as a responsive <picture>, from the row alone.

    {% load pictures %}
    {% picture story.image alt=story.image_alt sizes="(min-width: 44rem) 42rem, 100vw" %}

WebP renditions in a <source>, the JPEG (PNG for transparent images) renditions in the <img>'s
srcset, the width and height attributes that reserve its space while it loads, `loading`
("lazy" by default; "eager" for the image at the top of a page) and `decoding="async"`. The
field must be a SafeImageField with a renditions column (editorial.renditions); printing costs
no query and no file access as long as that column was loaded with the row. An image without
recorded renditions prints as its original alone; an empty field prints nothing.
"""

from django import template

from editorial.renditions import picture as picture_of

register = template.Library()


@register.inclusion_tag("_picture.html")
def picture(file, alt="", sizes="100vw", loading="lazy", css_class="", fetchpriority=""):
    return {
        "pic": picture_of(file),
        "alt": alt,
        "sizes": sizes,
        "loading": loading,
        "css_class": css_class,
        "fetchpriority": fetchpriority,
    }
