"""`{% open_conditions_summary as summary %}`: how many open conditions of listed sites there are
and how many are overdue (one query), for the Panel's pages that link the list (issue 16).
`{% decision_conditions decision %}`: a decision's conditions, one a line."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from certification.condition_selectors import open_conditions_of_listed
from certification.conditions import decision_condition_lines
from certification.models import Decision

register = template.Library()


@register.simple_tag
def open_conditions_summary() -> dict[str, int]:
    return (
        open_conditions_of_listed()
        .order_by()
        .aggregate(open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=timezone.localdate())))
    )


@register.inclusion_tag("certification/_decision_conditions.html")
def decision_conditions(decision: Decision) -> dict[str, object]:
    """The Panel's conditions as a list, each with its due date and checker in the reader's language;
    an older decision without structured rows shows its stored text."""
    return {"lines": decision_condition_lines(decision), "text": decision.conditions}
