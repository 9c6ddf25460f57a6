"""Fill an EMPTY database with a large, realistic, made-up data set for benchmarks.

    python manage.py generate_synthetic_data --recommendations 10000 --updates 100000 \
        --meetings 1000

It refuses to run on a database that holds any recommendation, so synthetic rows can never be
mixed with the real data: point DATABASE_URL at a database of its own. Everything it writes
is marked "Synthetic" so that it cannot be mistaken for real data.
"""

from __future__ import annotations

import datetime
import random
import time

from django.core.management import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from boards.models import Action, AgendaItem, Attendance, Board, Meeting
from recommendations import services
from recommendations.models import (
    Organisation,
    Ownership,
    ProgressUpdate,
    Recommendation,
    Section,
    Status,
)

WORDS = [
    "partners",
    "should",
    "review",
    "the",
    "capability",
    "of",
    "responders",
    "to",
    "share",
    "information",
    "across",
    "London",
    "boroughs",
    "and",
    "agencies",
    "ensuring",
    "training",
    "exercises",
    "plans",
    "are",
    "tested",
    "regularly",
    "with",
    "clear",
    "communication",
    "to",
    "the",
    "public",
    "about",
    "what",
    "to",
    "do",
    "in",
    "an",
    "attack",
    "including",
    "resilience",
    "funding",
    "equipment",
    "casualty",
    "care",
    "protective",
    "security",
    "crowded",
    "places",
    "transport",
    "network",
    "river",
    "bridges",
    "stations",
    "command",
    "control",
    "interoperability",
    "assessment",
    "progress",
    "continues",
    "board",
    "agreed",
    "work",
    "completed",
]
START = datetime.date(2016, 11, 1)
DAYS = (datetime.date(2026, 10, 31) - START).days
BATCH = 2000


class Command(BaseCommand):
    help = "Generate a synthetic data set of any size in an empty database (benchmarks only)."

    def add_arguments(self, parser):
        parser.add_argument("--recommendations", type=int, default=10_000)
        parser.add_argument("--updates", type=int, default=100_000)
        parser.add_argument("--meetings", type=int, default=1_000)
        parser.add_argument("--organisations", type=int, default=60)
        parser.add_argument("--seed", type=int, default=2016)

    def handle(self, *args, **options):
        if Recommendation.objects.exists():
            raise CommandError(
                "This database already holds recommendations. Synthetic data is never mixed "
                "with real data: point DATABASE_URL at an empty database."
            )
        for name in ("recommendations", "organisations"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        self.random = random.Random(options["seed"])
        started = time.perf_counter()
        with transaction.atomic():
            organisations = self.make_organisations(options["organisations"])
            recommendations = self.make_recommendations(options["recommendations"], organisations)
            self.make_updates(options["updates"], recommendations)
            self.make_boards(options["meetings"], organisations, recommendations)
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {options['recommendations']} recommendations, {options['updates']} "
                f"updates and {options['meetings']} meetings in "
                f"{time.perf_counter() - started:.1f}s."
            )
        )

    def sentence(self, words: int) -> str:
        text = " ".join(self.random.choice(WORDS) for _ in range(words))
        return text[0].upper() + text[1:] + "."

    def make_organisations(self, count: int) -> list[Organisation]:
        return Organisation.objects.bulk_create(
            Organisation(name=f"Synthetic Agency {n}", acronym=f"SA{n}", slug=f"sa{n}")
            for n in range(1, count + 1)
        )

    def make_recommendations(self, count, organisations) -> list[Recommendation]:
        mayor_share = 22 / 127
        recommendations = Recommendation.objects.bulk_create(
            (
                Recommendation(
                    number=n,
                    text=f"Synthetic: {self.sentence(self.random.randint(15, 60))}",
                    section=Section.MAYOR if self.random.random() < mayor_share else Section.OTHER,
                )
                for n in range(1, count + 1)
            ),
            batch_size=BATCH,
        )
        ownerships = []
        for recommendation in recommendations:
            owners = self.random.sample(organisations, k=self.random.choice((1, 1, 1, 2, 3)))
            ownerships += [
                Ownership(recommendation=recommendation, organisation=org, is_lead=index == 0)
                for index, org in enumerate(owners)
            ]
        Ownership.objects.bulk_create(ownerships, batch_size=BATCH)
        return recommendations

    def make_updates(self, count: int, recommendations) -> None:
        statuses = [Status.RESOLVED, Status.RESOLVED_BY_OTHER_MEANS, Status.ONGOING]
        batch = []
        for _ in range(count):
            batch.append(
                ProgressUpdate(
                    recommendation=self.random.choice(recommendations),
                    date=START + datetime.timedelta(days=self.random.randrange(DAYS)),
                    text=self.sentence(self.random.randint(30, 120)),
                    status=self.random.choices(statuses, weights=(6, 1, 3))[0],
                    source="Synthetic data",
                    published=self.random.random() < 0.9,
                )
            )
            if len(batch) == BATCH:
                ProgressUpdate.objects.bulk_create(batch)
                batch = []
        if batch:
            ProgressUpdate.objects.bulk_create(batch)
        services.refresh_positions(recommendation_ids=[r.pk for r in recommendations])

    def make_boards(self, meetings: int, organisations, recommendations) -> None:
        boards = Board.objects.bulk_create(
            Board(
                name=f"Synthetic Board {n}",
                short_name=f"SB{n}",
                slug=f"synthetic-board-{n}",
                purpose=self.sentence(20),
                established_on=datetime.date(2009, 3, 1),
            )
            for n in range(1, 6)
        )
        for board in boards:
            board.members.set(self.random.sample(organisations, k=min(8, len(organisations))))
            board.oversees.set(
                self.random.sample(recommendations, k=min(50, len(recommendations)))
            )
        made = self.make_meetings(meetings, boards)
        items = self.make_minutes(made)
        self.make_actions(items, recommendations)

    def make_meetings(self, meetings: int, boards) -> list[Meeting]:
        """`meetings` meetings shared out among `boards`, three days apart, with attendance."""
        made, day = [], 0
        for index in range(meetings):
            board = boards[index % len(boards)]
            if index % len(boards) == 0:
                day += 3
            date = datetime.date(2010, 1, 1) + datetime.timedelta(days=day)
            held = date < timezone.localdate()
            made.append(
                Meeting(
                    board=board,
                    date=date,
                    place="City Hall",
                    chair="Synthetic chair",
                    status=Meeting.Status.HELD if held else Meeting.Status.SCHEDULED,
                    minutes_status=(
                        Meeting.MinutesStatus.PUBLISHED if held else Meeting.MinutesStatus.DRAFT
                    ),
                    summary=self.sentence(25),
                )
            )
        made = Meeting.objects.bulk_create(made, batch_size=BATCH)
        Attendance.objects.bulk_create(
            (
                Attendance(meeting=meeting, person=f"Member {n}", role="Member", order=n)
                for meeting in made
                for n in range(1, 6)
            ),
            batch_size=BATCH,
        )
        return made

    def make_minutes(self, made) -> list[AgendaItem]:
        """Three agenda items per meeting, the third confidential."""
        return AgendaItem.objects.bulk_create(
            (
                AgendaItem(
                    meeting=meeting,
                    number=n,
                    title=self.sentence(5),
                    minutes=self.sentence(80),
                    confidential=n == 3,
                )
                for meeting in made
                for n in range(1, 4)
            ),
            batch_size=BATCH,
        )

    def make_actions(self, items, recommendations) -> None:
        """A recommendation linked to each agenda item, and an action on each public one."""
        links = AgendaItem.recommendations.through
        links.objects.bulk_create(
            (
                links(
                    agendaitem_id=item.pk, recommendation_id=self.random.choice(recommendations).pk
                )
                for item in items
            ),
            batch_size=BATCH,
        )
        Action.objects.bulk_create(
            (
                Action(
                    meeting=item.meeting,
                    agenda_item=item,
                    reference=f"Action {item.number}",
                    text=self.sentence(20),
                    due_date=item.meeting.date + datetime.timedelta(days=90),
                    status=self.random.choice(list(Action.Status.values)),
                )
                for item in items
                if item.number != 3
            ),
            batch_size=BATCH,
        )
