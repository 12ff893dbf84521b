"""Headers every response needs that no single view should have to remember."""

from django.conf import settings

ACCOUNT_PAGES = "/accounts/"


class NoStoreMiddleware:
    """Nothing shown to a signed-in person, and no sign-in or password page, is kept in a
    browser's or a proxy's cache: on a shared computer the back button would show the next person
    the last one's learners. A view that sets its own Cache-Control keeps it. Static files never
    get here: WhiteNoise answers them first, with caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") and (
            request.user.is_authenticated or request.path_info.startswith(ACCOUNT_PAGES)
        ):
            response["Cache-Control"] = "no-store"
        return response


class PermissionsPolicyMiddleware:
    """Refuses every page the browser features the portal never uses (camera, microphone,
    location...), named in settings.CMPP_PERMISSIONS_POLICY, so a script that got in could not
    ask for them either. Django sends the other security headers itself; it has no setting for
    this one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.CMPP_PERMISSIONS_POLICY)
        return response
