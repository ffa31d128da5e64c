"""`{% open_conditions_summary as summary %}`: how many open conditions of listed sites there are
and how many are overdue (one query), for the Panel's pages that link the list (issue 16)."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from certification.condition_selectors import open_conditions_of_listed

register = template.Library()


@register.simple_tag
def open_conditions_summary() -> dict[str, int]:
    return (
        open_conditions_of_listed()
        .order_by()
        .aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=timezone.localdate())))
    )
