"""Pages of the public site that belong to no app."""

from django.views.generic import TemplateView


class AccessibilityView(TemplateView):
    template_name = "public/accessibility.html"


class ContactView(TemplateView):
    template_name = "public/contact.html"
