"""Values every page's layout needs."""

from django.conf import settings


def service(request):
    return {"service_name": settings.CMPP_SERVICE_NAME, "service_phase": settings.CMPP_PHASE}
