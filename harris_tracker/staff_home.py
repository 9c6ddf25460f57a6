"""The staff home (the admin index): what needs doing, as counts that open the filtered lists.

The home is a list of panels, each drawn by a function of the request and today's date that
returns a `Panel`, or None when the user may see none of it. `STAFF_HOME_PANELS` lists those
functions in the order the home shows them: an app that has work to show staff (the owner
update rounds, say) adds its function there. Each count is one query, whatever the number of
rows, and is shown only to a user who may view the rows it counts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from boards.models import Action, Meeting
from recommendations.models import Organisation, ProgressUpdate, Recommendation
from reporting.models import Submission, UpdateRound


@dataclass(frozen=True)
class Count:
    """One figure on the home: `label` for `count` rows, which `url` lists."""

    label: str
    count: int
    url: str
    description: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    counts: list[Count]


def _changelist(model: str, query: str) -> str:
    app_label, model_name = model.split(".")
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    return f"{url}?{query}" if query else url


def _count(
    request: HttpRequest, permission: str, rows: QuerySet, label: str, url: str, description: str
) -> Count | None:
    if not request.user.has_perm(permission):
        return None
    return Count(label=label, count=rows.count(), url=url, description=description)


def _panel(title: str, counts: list[Count | None]) -> Panel | None:
    shown = [count for count in counts if count is not None]
    return Panel(title=title, counts=shown) if shown else None


def recommendations_panel(request: HttpRequest, today: datetime.date) -> Panel | None:
    """Drafts to publish, expected dates gone by, owners to chase for an update."""
    interval = settings.REPORTING_INTERVAL_DAYS
    cutoff = today - datetime.timedelta(days=interval)
    return _panel(
        "Recommendations",
        [
            _count(
                request,
                "recommendations.view_progressupdate",
                ProgressUpdate.objects.drafts(),
                "Draft updates awaiting publication",
                _changelist("recommendations.progressupdate", "state=draft"),
                "Saved but not public: the status has not moved.",
            ),
            _count(
                request,
                "recommendations.view_recommendation",
                Recommendation.objects.past_target_date(today),
                "Recommendations past their expected date",
                _changelist("recommendations.recommendation", "target=overdue"),
                "Not resolved, and the expected completion date has gone by.",
            ),
            _count(
                request,
                "recommendations.view_organisation",
                Organisation.objects.without_update_since(cutoff),
                "Owners to chase for an update",
                _changelist("recommendations.organisation", "chase=stale"),
                f"No published update for {interval} days on a recommendation they own "
                "that is not resolved.",
            ),
        ],
    )


def boards_panel(request: HttpRequest, today: datetime.date) -> Panel | None:
    """Board actions still open or overdue, and meetings whose minutes are not out."""
    return _panel(
        "Boards",
        [
            _count(
                request,
                "boards.view_action",
                Action.objects.open(),
                "Open board actions",
                _changelist("boards.action", "status__exact=open"),
                "Agreed at a meeting and not yet done, dropped or carried forward.",
            ),
            _count(
                request,
                "boards.view_action",
                Action.objects.overdue(today),
                "Board actions past their due date",
                _changelist("boards.action", "due=overdue"),
                "Still open after the date they were due.",
            ),
            _count(
                request,
                "boards.view_meeting",
                Meeting.objects.awaiting_minutes(today),
                "Meetings awaiting minutes",
                _changelist("boards.meeting", "stage=awaiting-minutes"),
                "Held, but their minutes are not yet published.",
            ),
        ],
    )


def owner_reporting_panel(request: HttpRequest, today: datetime.date) -> Panel | None:
    """Owners' submissions to review (closure requests apart) and the rounds still open."""
    awaiting = Submission.objects.awaiting_review()
    return _panel(
        "Owners' updates",
        [
            _count(
                request,
                "reporting.view_submission",
                awaiting,
                "Submissions awaiting review",
                _changelist("reporting.submission", "state=submitted"),
                "Sent by owners: approve to publish, or return with a comment.",
            ),
            _count(
                request,
                "reporting.view_submission",
                awaiting.closure_requests(),
                "Closure requests awaiting review",
                _changelist(
                    "reporting.submission",
                    "state=submitted&proposed_status__in=resolved,resolved-by-other-means",
                ),
                "Owners asking to mark a recommendation resolved: confirm or decline.",
            ),
            _count(
                request,
                "reporting.view_updateround",
                UpdateRound.objects.open(),
                "Update rounds open",
                _changelist("reporting.updateround", ""),
                "Rounds asking owners for updates; each round's progress is below.",
            ),
        ],
    )


#: What the staff home shows, in order (see the module docstring).
STAFF_HOME_PANELS: list[Callable[[HttpRequest, datetime.date], Panel | None]] = [
    recommendations_panel,
    owner_reporting_panel,
    boards_panel,
]


def staff_home_panels(request: HttpRequest, today: datetime.date) -> list[Panel]:
    panels = (build(request, today) for build in STAFF_HOME_PANELS)
    return [panel for panel in panels if panel is not None]
