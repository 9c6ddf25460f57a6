"""Atom feeds of published progress updates: all of them, one recommendation's, one owner's."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from recommendations.models import Organisation, ProgressUpdate, Recommendation

FEED_LENGTH = 50


class UpdatesFeed(Feed):
    """The latest published progress updates on every recommendation."""

    feed_type = Atom1Feed
    title = "Harris Review Tracker: progress updates"
    subtitle = "Published progress updates on the Harris Review's 127 recommendations."
    author_name = "Mayor's Office for Policing and Crime (MOPAC)"

    def link(self, obj=None) -> str:
        return reverse("recommendations:home")

    def updates(self, obj) -> QuerySet[ProgressUpdate]:
        return ProgressUpdate.objects.published()

    def items(self, obj=None) -> QuerySet[ProgressUpdate]:
        return self.updates(obj).select_related("recommendation").newest_first()[:FEED_LENGTH]

    def item_title(self, item: ProgressUpdate) -> str:
        return f"Recommendation {item.recommendation.number}: {item.get_status_display()}"

    def item_description(self, item: ProgressUpdate) -> str:
        return item.text

    def item_link(self, item: ProgressUpdate) -> str:
        return f"{item.recommendation.get_absolute_url()}#update-{item.pk}"

    def item_pubdate(self, item: ProgressUpdate) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(item.date, datetime.time()))

    def item_updateddate(self, item: ProgressUpdate) -> datetime.datetime:
        return item.modified_at


class RecommendationUpdatesFeed(UpdatesFeed):
    """One recommendation's published progress updates."""

    def get_object(self, request: HttpRequest, number: int) -> Recommendation:
        return get_object_or_404(Recommendation, number=number)

    def title(self, obj: Recommendation) -> str:
        return f"Harris Review Tracker: progress updates on recommendation {obj.number}"

    def subtitle(self, obj: Recommendation) -> str:
        return f"Published progress updates on recommendation {obj.number}."

    def link(self, obj: Recommendation) -> str:
        return obj.get_absolute_url()

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
        return obj.get_absolute_url()

    def updates(self, obj: Organisation) -> QuerySet[ProgressUpdate]:
        return ProgressUpdate.objects.published().filter(recommendation__owners=obj)
