from __future__ import annotations

from django import template

from kinlink.accounts.roles import works_on_records
from kinlink.cases.selectors import deadlines_for

register = template.Library()


@register.inclusion_tag("cases/_deadlines.html", takes_context=True)
def deadlines_panel(context) -> dict:
    """{% deadlines_panel %}: the signed-in user's overdue tasks and those due this week;
    nothing for roles that hold no caseload."""
    user = context["request"].user
    shown = user.is_authenticated and works_on_records(user.role)
    return {**context.flatten(), "deadlines": deadlines_for(user) if shown else None}
