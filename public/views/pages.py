"""The public site's own pages: the accessibility statement, how to contact us, the feeds."""

from django.views.generic import TemplateView


class AccessibilityView(TemplateView):
    template_name = "public/accessibility.html"


class ContactView(TemplateView):
    template_name = "public/contact.html"


class FeedsView(TemplateView):
    """What a feed is and how to follow one: the feed links otherwise open raw XML."""

    template_name = "public/feeds.html"
