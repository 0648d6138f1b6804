"""Response headers every page carries."""

from django.conf import settings


class PermissionsPolicyMiddleware:
    """Permissions-Policy: browser features (camera, location, ...) the site never uses are off."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
