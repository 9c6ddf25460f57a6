"""Atom feeds of published progress updates: all of them, one recommendation's, one owner's."""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks, urlize

from public.links import absolute
from recommendations.models import Organisation, ProgressUpdate, Recommendation

FEED_LENGTH = 50

#: What XML 1.0 cannot carry at all: C0 controls other than tab, newline and carriage return,
#: surrogates and the two non-characters U+FFFE and U+FFFF.
XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: The year in the entries' `tag:` URIs (RFC 4151): when the tracker began to publish under
#: its domain. Fixed, so that an entry's id never changes.
TAG_YEAR = 2016


def tag_uri(specific: str) -> str:
    """A `tag:` URI on the site's own domain (`SITE_URL`), whatever host the request named:
    feed readers tell entries apart by id, so an id must not change with the host name."""
    return f"tag:{urlsplit(settings.SITE_URL).hostname},{TAG_YEAR}:{specific}"


def summary_html(text: str) -> str:
    """An update's text as HTML for a feed: escaped, in paragraphs, its URLs as links.

    `urlize` escapes everything that is not a URL, and keeps the angle brackets an author
    put around one (`<https://…>`) as text outside the link: a feed reader would otherwise
    take them for a tag and drop the address.
    """
    return linebreaks(urlize(text, autoescape=True), autoescape=False)


def entry_updated(update: ProgressUpdate) -> datetime.datetime:
    """When the entry last changed, as Atom's `updated`.

    Updates loaded in one batch (the 2017 report's, from the fixture) carry the same whole
    second; within it they are told apart by their write order (the row id, as microseconds),
    because feed readers and the W3C validator take identical values for a generator fault.
    """
    changed = update.modified_at
    if changed.microsecond:
        return changed
    return changed.replace(microsecond=update.pk % 1_000_000)


def xml_safe(value):
    """The value without the characters XML 1.0 forbids; anything not a string as it is."""
    return XML_FORBIDDEN.sub("", value) if isinstance(value, str) else value


class XmlSafeAtom1Feed(Atom1Feed):
    """An Atom feed that drops characters XML 1.0 forbids instead of failing to write.

    Text can reach the database with such a character (an older import, a direct write); the
    feed is then still served, without the character, rather than answering 500.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*map(xml_safe, args), **{k: xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs) -> None:
        super().add_item(*map(xml_safe, args), **{k: xml_safe(v) for k, v in kwargs.items()})


class UpdatesFeed(Feed):
    """The latest published progress updates on every recommendation."""

    feed_type = XmlSafeAtom1Feed
    title = "Harris Review Tracker: progress updates"
    subtitle = "Published progress updates on the Harris Review's 127 recommendations."
    author_name = "Mayor's Office for Policing and Crime (MOPAC)"

    # Links are made absolute here, from SITE_URL: the syndication framework would take
    # the request's Host, and a feed is kept in the page cache for every reader.
    def link(self, obj=None) -> str:
        return absolute(reverse("recommendations:home"))

    def feed_url(self, obj=None) -> str:
        return absolute(reverse("recommendations:feed"))

    def feed_guid(self, obj=None) -> str:
        return tag_uri(f"feed:{self.link(obj).removeprefix(settings.SITE_URL)}")

    def updates(self, obj) -> QuerySet[ProgressUpdate]:
        return ProgressUpdate.objects.published()

    def items(self, obj=None) -> QuerySet[ProgressUpdate]:
        return self.updates(obj).select_related("recommendation").newest_first()[:FEED_LENGTH]

    def item_title(self, item: ProgressUpdate) -> str:
        return f"Recommendation {item.recommendation.number}: {item.get_status_display()}"

    def item_description(self, item: ProgressUpdate) -> str:
        # Atom carries the summary as type="html": markup an officer typed must reach a
        # feed reader as text, so it is escaped; only paragraphs and links are HTML.
        return summary_html(item.text)

    def item_link(self, item: ProgressUpdate) -> str:
        return absolute(f"{item.recommendation.get_absolute_url()}#update-{item.pk}")

    def item_guid(self, item: ProgressUpdate) -> str:
        return tag_uri(f"update:{item.pk}")

    def item_pubdate(self, item: ProgressUpdate) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time()))

    def item_updateddate(self, item: ProgressUpdate) -> datetime.datetime:
        return entry_updated(item)


class RecommendationUpdatesFeed(UpdatesFeed):
    """One recommendation's published progress updates."""

    def get_object(self, request: HttpRequest, number: int) -> Recommendation:
        return get_object_or_404(Recommendation.objects.of_default_review(), number=number)

    def title(self, obj: Recommendation) -> str:
        return f"Harris Review Tracker: progress updates on recommendation {obj.number}"

    def subtitle(self, obj: Recommendation) -> str:
        return f"Published progress updates on recommendation {obj.number}."

    def link(self, obj: Recommendation) -> str:
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj: Recommendation) -> str:
        return absolute(reverse("recommendations:detail-feed", args=[obj.number]))

    def updates(self, obj: Recommendation) -> QuerySet[ProgressUpdate]:
        return ProgressUpdate.objects.published().filter(recommendation=obj)


class OrganisationUpdatesFeed(UpdatesFeed):
    """Published progress updates on the recommendations one organisation owns."""

    def get_object(self, request: HttpRequest, slug: str) -> Organisation:
        return get_object_or_404(Organisation, slug=slug)

    def title(self, obj: Organisation) -> str:
        return f"Harris Review Tracker: progress updates on {obj.display_name}'s recommendations"

    def subtitle(self, obj: Organisation) -> str:
        return f"Published progress updates on the recommendations {obj} owns."

    def link(self, obj: Organisation) -> str:
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj: Organisation) -> str:
        return absolute(reverse("recommendations:organisation-feed", args=[obj.slug]))

    def updates(self, obj: Organisation) -> QuerySet[ProgressUpdate]:
        return ProgressUpdate.objects.published().filter(recommendation__owners=obj)
