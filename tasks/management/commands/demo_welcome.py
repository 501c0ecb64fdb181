"""manage.py demo_welcome: what `scripts/run` prints once the demo answers — where it is and whom to log in as."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tasks import demo


class Command(BaseCommand):
    help = "Print the demo's address, one account per role with what to try, and the shared password."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="the address the site is served at")

    def handle(self, *args, url, **options):
        base = url.rstrip("/")
        with translation.override(settings.LANGUAGE_CODE):
            roles = demo.welcome_roles()
            out = self.stdout.write
            out(self.style.SUCCESS(_("The demo is running: %(url)s") % {"url": f"{base}/"}))
            out(_("Log in with one click: %(url)s") % {"url": f"{base}{reverse('demo-welcome')}"})
            out(
                self.style.WARNING(
                    _("Demo accounts (password %(password)s for all); their figures are generated, not official:")
                    % {"password": demo.DEMO_PASSWORD}
                )
            )
            for r in roles:
                out(f"  {r.username:<12} {r.role}：{r.try_this}")
            out("  " + _("and one reporter for every unit: dept01, dept02 …"))
