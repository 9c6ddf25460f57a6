"""The public site's own pages: the accessibility statement and how to contact us."""

from django.views.generic import TemplateView


class AccessibilityView(TemplateView):
    template_name = "public/accessibility.html"


class ContactView(TemplateView):
    template_name = "public/contact.html"
