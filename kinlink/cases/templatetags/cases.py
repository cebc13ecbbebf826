from __future__ import annotations

from django import template

from kinlink.accounts.roles import works_on_records
from kinlink.cases.selectors import cases_visible_to, deadlines_for

register = template.Library()


@register.inclusion_tag("cases/_deadlines.html", takes_context=True)
def deadlines_panel(context) -> dict:
    """{% deadlines_panel %}: the signed-in user's overdue tasks and those due this week;
    nothing for roles that hold no caseload."""
    user = context["request"].user
    shown = user.is_authenticated and works_on_records(user.role)
    return {**context.flatten(), "deadlines": deadlines_for(user) if shown else None}


@register.inclusion_tag("cases/_person_cases.html", takes_context=True)
def person_cases(context, person) -> dict:
    """{% person_cases person %}: on a person's page, a link to their open case when the user
    may see it, else "Open a case" for a user who may open one."""
    user = context["request"].user
    may_work = user.is_authenticated and works_on_records(user.role) and not person.is_merged
    open_case = (
        # the link needs the case's id and reference only
        cases_visible_to(user)
        .filter(person=person, closed_on__isnull=True)
        .only("reference")
        .first()
        if may_work
        else None
    )
    return {"person": person, "open_case": open_case, "may_open": may_work and open_case is None}
