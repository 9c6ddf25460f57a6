"""How the staff pages name a recommendation: its number and the start of its own words."""

from __future__ import annotations

from recommendations.models import Recommendation

LABEL_TEXT_LENGTH = 60


def label(recommendation: Recommendation) -> str:
    """ "32 — Consideration should be given by the GLA…": a number alone says nothing to a
    reader who does not know the Review by heart."""
    text = " ".join(recommendation.text.split())
    if len(text) > LABEL_TEXT_LENGTH:
        # Cut between words: half a word reads as a typing mistake.
        text = text[: LABEL_TEXT_LENGTH + 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return f"{recommendation.number} — {text}"
