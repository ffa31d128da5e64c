"""The listed site's reviews on certification's pages (certification sits below this app and may not
import it; its templates load these tags)."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("listing_reviews/_certificate_reviews.html", takes_context=True)
def certificate_reviews(context, certificate):
    """The certificate page (staff, the site team): its reviews, whether it is superseded, and the
    status rule while a renewal is under way."""
    return {"reviews": selectors.certificate_reviews(certificate, context["request"].user)}


@register.inclusion_tag("listing_reviews/_renewal_public.html")
def renewal_public_note(certificate):
    """The site's public page: "renewal under way" while the renewal cycle is not decided."""
    return {"under_way": selectors.renewal_under_way_publicly(certificate)}
