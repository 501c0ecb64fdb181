"""The API's documentation pages under the site's Content-Security-Policy, from local files only.

Swagger UI's start-up script is served as a file of its own (drf-spectacular's split view), so the page needs no
inline script. ReDoc styles its page by inserting <style> elements and parses the schema in a blob: worker; its
page alone gets a policy that allows those two (no script from elsewhere, still no CDN). Its bundle is our copy
(static/redoc/README.md), which no longer asks a CDN for the Redocly logo.

The browsable API (an endpoint opened in a browser) has its own policy: see renderers.py.
"""

from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"


REDOC_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "worker-src": ["blob:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

swagger = SwaggerView.as_view(url_name="api:schema")
redoc = csp_override(REDOC_CSP)(RedocView.as_view(url_name="api:schema"))
