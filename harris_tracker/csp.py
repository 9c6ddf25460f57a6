"""The Content Security Policy, with the one exception the admin needs.

Our own pages use no inline script or style at all, so their policy is strict. Django's admin
and django-import-export's admin pages still carry a few inline `style` attributes, so under
/admin/ (staff only, behind sign-in) inline styles are allowed. Scripts are held to 'self'
everywhere: the one inline handler the admin had (the export page's "Select all") is bound
from a static file instead (templates/admin/import_export/export.html).
"""

from csp.middleware import CSPMiddleware
from django.http import HttpRequest, HttpResponseBase

ADMIN_EXCEPTION = {
    "style-src": ["'self'", "'unsafe-inline'"],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if request.path.startswith("/admin/"):
            response._csp_update = {**ADMIN_EXCEPTION, **getattr(response, "_csp_update", {})}
        return super().process_response(request, response)
