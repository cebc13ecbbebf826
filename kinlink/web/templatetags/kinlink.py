from django import template
from django.utils import translation

from kinlink.web import pagecache
from kinlink.web.dates import format_date, localise_digits
from kinlink.web.formcache import form_html
from kinlink.web.pagecache import choice_label

register = template.Library()


@register.simple_tag(takes_context=True)
def kdate(context, value, with_time=False):
    """{% kdate value %}: the date in the user's calendar and the page language's digits."""
    calendar = context.get("calendar", "gregorian")
    return format_date(
        value, calendar, translation.get_language() or "en", with_time=bool(with_time)
    )


@register.filter
def digits(value):
    return localise_digits(str(value), translation.get_language() or "en")


@register.filter
def static_form(form):
    """{{ form|static_form }}: the form as divs; an unbound form with fixed choices is rendered
    once per language and reused (kinlink.web.formcache)."""
    return form_html(form)


@register.filter
def display(instance, field_name):
    """{{ obj|display:"status" }}: obj.get_status_display(), the choice labels translated once
    per language (kinlink.web.pagecache)."""
    return choice_label(instance, field_name)


@register.filter
def link(pk, url_name):
    """{{ obj.pk|link:"tracing:enquiry_detail" }}: {% url "tracing:enquiry_detail" obj.pk %}
    for a pattern with one id, reversed once per language (kinlink.web.pagecache)."""
    return pagecache.link(url_name, pk)
