"""Signals of the recommendations app."""

from django.dispatch import Signal

#: Sent by `RecommendationQuerySet.refresh_positions()`, which every write to progress
#: updates reaches, bulk writes included (they send no model signals).
positions_refreshed = Signal()
