from __future__ import annotations

from django import template

from kinlink.cases.selectors import deadlines_for

register = template.Library()


@register.inclusion_tag("cases/_deadlines.html", takes_context=True)
def deadlines_panel(context) -> dict:
    """{% deadlines_panel %}: the signed-in user's overdue tasks and those due this week."""
    user = context["request"].user
    return {**context.flatten(), "deadlines": deadlines_for(user)}
