"""Signals of the recommendations app."""

from django.dispatch import Signal

#: Sent by `services.refresh_positions()`, which every service that writes progress updates
#: calls, bulk writes included (they send no model signals).
positions_refreshed = Signal()
