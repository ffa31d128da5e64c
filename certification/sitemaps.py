from django.contrib.sitemaps import Sitemap
from django.urls import reverse
from django.utils.text import slugify

from . import selectors


class StaticSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["certification:green-list", "certification:verify-form"]

    def location(self, item):
        return reverse(item)


class GreenListSitemap(Sitemap):
    """One page per listed area."""

    changefreq = "weekly"

    def items(self):
        return selectors.public_certificates()

    def location(self, item):
        return reverse("certification:area", args=[item.protected_area_id, slugify(item.protected_area.name) or "area"])

    def lastmod(self, item):
        return item.status_changed_at
