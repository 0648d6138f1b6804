"""Cheap absolute paths for public objects.

A page lists dozens of links; calling reverse() for each one dominated the render time of an
issue page. The URL resolver is still the single source of truth: each pattern is reversed once
per script prefix with a placeholder argument, and later calls substitute the real argument.
"""

from django.urls import get_script_prefix, reverse

# Matches both <slug:...> and <int:...> converters and cannot occur in a real prefix.
_PLACEHOLDER = "987654321987654321"
_templates = {}


def public_path(name, arg):
    """Return reverse(name, args=[arg]) for a one-argument public URL, without the resolver."""
    key = (get_script_prefix(), name)
    template = _templates.get(key)
    if template is None:
        template = _templates[key] = reverse(name, args=[_PLACEHOLDER])
    return template.replace(_PLACEHOLDER, str(arg))
