"""Stand-in data shaped like the real data (127 recommendations, their owners, updates and
boards), for benchmarking where the real fixtures are not loaded. Run inside Django."""

from __future__ import annotations

import datetime
import random

from django.conf import settings
from django.db import transaction

from boards.models import Action, AgendaItem, Board, Meeting
from recommendations.models import (
    Organisation,
    Ownership,
    ProgressUpdate,
    Recommendation,
    Section,
    Status,
)

#: Words of the real progress report, so that texts have its shape and vocabulary.
WORDS = (settings.BASE_DIR / "fixtures/sources/progress-report-2017.txt").read_text().split()
ORGANISATIONS = ["MPS", "MOPAC", "GLA", "LFB", "LAS", "BTP", "CoLP", "TfL", "Home Office", "DfT"]


def _text(rng: random.Random, words: int) -> str:
    start = rng.randrange(len(WORDS) - words)
    return " ".join(WORDS[start : start + words])


@transaction.atomic
def seed(count: int = 127, seed: int = 2017) -> None:
    rng = random.Random(seed)
    organisations = [
        Organisation.objects.create(name=name, acronym=name if len(name) < 6 else "")
        for name in ORGANISATIONS
    ]
    statuses = [Status.RESOLVED] * 6 + [Status.RESOLVED_BY_OTHER_MEANS] + [Status.ONGOING] * 3
    recommendations = []
    for number in range(1, count + 1):
        recommendation = Recommendation.objects.create(
            number=number,
            text=_text(rng, rng.randint(25, 90)),
            section=Section.MAYOR if number <= 22 else Section.OTHER,
        )
        for index, organisation in enumerate(rng.sample(organisations, rng.randint(1, 3))):
            Ownership.objects.create(
                recommendation=recommendation, organisation=organisation, is_lead=index == 0
            )
        ProgressUpdate.objects.bulk_create(
            [
                ProgressUpdate(
                    recommendation=recommendation,
                    date=datetime.date(2017, 3, 31),
                    text=_text(rng, 60),
                    status=Status.ONGOING,
                    published=True,
                ),
                ProgressUpdate(
                    recommendation=recommendation,
                    date=datetime.date(2017, 10, 31),
                    text=_text(rng, rng.randint(40, 160)),
                    status=rng.choice(statuses),
                    published=True,
                ),
            ]
        )
        recommendations.append(recommendation)
    for index, name in enumerate(["London CONTEST Board", "London Resilience Forum"]):
        board = Board.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        board.members.set(organisations[:6])
        board.oversees.set(recommendations[index::2][:20])
        for month in (1, 4, 7, 10):
            meeting = Meeting.objects.create(
                board=board,
                date=datetime.date(2017, month, 18),
                status=Meeting.Status.HELD,
                minutes_status=Meeting.MinutesStatus.PUBLISHED,
                place="City Hall",
            )
            for number in range(1, 6):
                item = AgendaItem.objects.create(
                    meeting=meeting,
                    number=number,
                    title=_text(rng, 5),
                    minutes=_text(rng, 80),
                    confidential=number == 3,
                )
                item.recommendations.set(rng.sample(recommendations, 2))
            action = Action.objects.create(
                meeting=meeting, reference="Action 1", text=_text(rng, 20)
            )
            action.recommendations.set(rng.sample(recommendations, 1))
