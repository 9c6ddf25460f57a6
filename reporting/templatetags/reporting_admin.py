from django import template

from reporting.models import UpdateRound

register = template.Library()


@register.inclusion_tag("admin/reporting/open_rounds.html")
def open_rounds_progress() -> dict:
    """The open rounds' totals, for the staff home."""
    rounds = []
    for update_round in UpdateRound.objects.open().order_by("due_date", "pk"):
        rows = update_round.progress()
        totals = {
            key: sum(getattr(row, key) for row in rows)
            for key in ("asked", "submitted", "approved", "returned", "overdue")
        }
        rounds.append((update_round, totals))
    return {"rounds": rounds}
