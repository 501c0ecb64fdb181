"""DRF's browsable API (an endpoint opened in a browser) under the site's Content-Security-Policy.

Its templates write style="…" attributes and a <style> of Pygments rules throughout, which no nonce can cover (a
nonce does not apply to attributes). Its HTML pages get the site's policy with inline styles allowed; scripts stay
the site's own files only, and the JSON answers keep the site's policy unchanged.
"""

from django.conf import settings
from django.utils.csp import CSP
from rest_framework.renderers import BrowsableAPIRenderer


class BrowsableAPIWithInlineStyles(BrowsableAPIRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        html = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None:  # no hashes beside 'unsafe-inline': a browser then ignores it
            response._csp_config = {**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]}
        return html
