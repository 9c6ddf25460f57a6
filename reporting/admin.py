"""The staff side of owners' reporting: contacts, rounds and their progress, the review queue.

Every write goes through `reporting.services`; evidence files are downloaded only through
`evidence_download`, which checks permission (they have no public URL).
"""

from __future__ import annotations

import csv
import difflib
import io

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from tablib import Dataset

from recommendations.admin import ReadOnlyAdminMixin
from recommendations.admin_history import AuditHistoryAdmin
from recommendations.models import Organisation, Recommendation, Status
from reporting import evidence as evidence_files
from reporting import services
from reporting.models import (
    Evidence,
    OutgoingEmail,
    OwnerContact,
    ReminderSent,
    Submission,
    UpdateRound,
)
from reporting.outbox import send_again


def word_diff(before: str, after: str) -> SafeString:
    """`after` against `before`, word by word: removed words in <del>, added ones in <ins>."""
    old, new = before.split(), after.split()
    parts = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(format_html("{}", " ".join(old[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(format_html("<del>{}</del>", " ".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            parts.append(format_html("<ins>{}</ins>", " ".join(new[j1:j2])))
    # Every part was escaped by format_html.
    return mark_safe(" ".join(parts))


# Contacts


class InviteForm(forms.Form):
    name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField()
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.all(), widget=forms.CheckboxSelectMultiple
    )


@admin.register(OwnerContact)
class OwnerContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation_list", "invited_at", "has_signed_in"]
    list_filter = ["organisations"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    filter_horizontal = ["organisations"]
    fields = ["user", "organisations", "invited_by", "invited_at"]
    readonly_fields = ["user", "invited_by", "invited_at"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("user").prefetch_related("organisations")
        )

    @admin.display(description="Organisations")
    def organisation_list(self, obj: OwnerContact) -> str:
        return ", ".join(str(o) for o in obj.organisations.all())

    @admin.display(description="Signed in", boolean=True)
    def has_signed_in(self, obj: OwnerContact) -> bool:
        return obj.user.last_login is not None

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Adding a contact is inviting them: ?organisation=<id> preselects an organisation."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        initial = {"organisations": request.GET.getlist("organisation")}
        form = InviteForm(request.POST or None, initial=initial)
        if form.is_valid():
            try:
                contact = services.invite_contact(
                    email=form.cleaned_data["email"],
                    name=form.cleaned_data["name"],
                    organisations=form.cleaned_data["organisations"],
                    invited_by=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request,
                    f"Invited {contact}: an email with a link to choose a password is on its "
                    "way (see Outgoing emails).",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:reporting_ownercontact_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Invite an owner contact",
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/reporting/form_page.html", context)


# Rounds


class OpenRoundForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="e.g. 2018 annual report")
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(
        label="Ask about",
        choices=[("", "Only the recommendations chosen below"), *Status.choices],
        initial=Status.ONGOING,
        required=False,
        help_text="Every recommendation with this status, plus any chosen below.",
    )
    recommendations = forms.ModelMultipleChoiceField(
        queryset=Recommendation.objects.all(), required=False, widget=forms.SelectMultiple
    )

    def clean(self):
        data = super().clean()
        if not data.get("status") and not data.get("recommendations"):
            raise ValidationError("Choose a status or at least one recommendation.")
        return data

    def chosen(self):
        data = self.cleaned_data
        chosen = Recommendation.objects.filter(pk__in=[r.pk for r in data["recommendations"]])
        if data["status"]:
            chosen = chosen | Recommendation.objects.filter(status=data["status"])
        return chosen.distinct()


@admin.register(UpdateRound)
class UpdateRoundAdmin(admin.ModelAdmin):
    list_display = ["name", "due_date", "opened_at", "is_open", "progress_link"]
    fields = ["name", "due_date", "opened_by", "opened_at", "closed_at"]
    readonly_fields = ["opened_by", "opened_at"]

    @admin.display(description="Open", boolean=True)
    def is_open(self, obj: UpdateRound) -> bool:
        return obj.is_open

    @admin.display(description="Progress")
    def progress_link(self, obj: UpdateRound) -> str:
        url = reverse("admin:reporting_updateround_progress", args=[obj.pk])
        return format_html('<a href="{}">Progress of {}</a>', url, obj.name)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<int:pk>/progress/",
                self.admin_site.admin_view(self.progress_view),
                name="reporting_updateround_progress",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OpenRoundForm(request.POST or None)
        if form.is_valid():
            try:
                update_round = services.open_round(
                    name=form.cleaned_data["name"],
                    due_date=form.cleaned_data["due_date"],
                    recommendations=form.chosen(),
                    opened_by=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                self.message_user(
                    request,
                    f"Opened {update_round.name}: {update_round.requests.count()} request(s); "
                    "the owners' contacts' emails are on their way (see Outgoing emails).",
                    messages.SUCCESS,
                )
                url = reverse("admin:reporting_updateround_progress", args=[update_round.pk])
                return HttpResponseRedirect(url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Open an update round",
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/reporting/form_page.html", context)

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        update_round = get_object_or_404(UpdateRound, pk=pk)
        rows = update_round.progress()
        export = request.GET.get("format")
        if export in ("csv", "xlsx"):
            return _progress_export(update_round, rows, export)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Progress of {update_round.name}",
            "opts": self.opts,
            "round": update_round,
            "rows": rows,
            "totals": {
                key: sum(getattr(row, key) for row in rows)
                for key in ("asked", "submitted", "approved", "returned", "overdue")
            },
        }
        return TemplateResponse(request, "admin/reporting/round_progress.html", context)


PROGRESS_HEADERS = ["Organisation", "Asked", "Submitted", "Approved", "Returned", "Overdue"]


def _progress_export(update_round: UpdateRound, rows, export: str) -> HttpResponse:
    data = [
        (r.organisation.name, r.asked, r.submitted, r.approved, r.returned, r.overdue)
        for r in rows
    ]
    filename = f"round-progress-{update_round.pk}.{export}"
    if export == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(PROGRESS_HEADERS)
        writer.writerows(data)
        response = HttpResponse(text.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        dataset = Dataset(*data, headers=PROGRESS_HEADERS, title="Round progress")
        response = HttpResponse(
            dataset.export("xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The review queue


class ReviewForm(forms.Form):
    text = forms.CharField(
        label="Published wording",
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="Edit before approving if needed; the owner's own wording is kept.",
    )
    status = forms.ChoiceField(label="Status to publish", choices=Status.choices)
    public_evidence = forms.ModelMultipleChoiceField(
        label="Evidence to list on the public page",
        queryset=Evidence.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label="Comment for the owner (to return it)",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["public_evidence"].queryset = submission.evidence.all()


class StateFilter(admin.SimpleListFilter):
    """Awaiting review unless another state is chosen: the queue is what needs doing."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [*Submission.State.choices, ("all", "All")]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            yield {
                "selected": (self.value() or Submission.State.SUBMITTED) == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or Submission.State.SUBMITTED
        return queryset if value == "all" else queryset.filter(state=value)


@admin.register(Submission)
class SubmissionAdmin(AuditHistoryAdmin):
    list_display = [
        "recommendation_number",
        "organisation",
        "state",
        "current_status",
        "proposed_status",
        "closure",
        "submitted_at",
        "review_link",
    ]
    list_filter = [StateFilter, "proposed_status", "request__round", "request__organisation"]
    search_fields = ["text", "request__recommendation__number"]
    show_full_result_count = False  # a filtered list counts its matches only
    readonly_fields = [f.name for f in Submission._meta.fields]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "request__recommendation", "request__organisation", "request__round", "author"
            )
        )

    @admin.display(description="Recommendation", ordering="request__recommendation__number")
    def recommendation_number(self, obj: Submission) -> int:
        return obj.request.recommendation.number

    @admin.display(description="Owner", ordering="request__organisation__name")
    def organisation(self, obj: Submission) -> Organisation:
        return obj.request.organisation

    @admin.display(description="Current status")
    def current_status(self, obj: Submission) -> str:
        return obj.request.recommendation.get_status_display()

    @admin.display(description="Asks closure", boolean=True)
    def closure(self, obj: Submission) -> bool:
        return obj.is_closure_request

    @admin.display(description="Review")
    def review_link(self, obj: Submission) -> str:
        url = reverse("admin:reporting_submission_review", args=[obj.pk])
        label = "Review" if obj.state == Submission.State.SUBMITTED else "View"
        return format_html('<a href="{}">{} {}</a>', url, label, obj.request.recommendation)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Submissions change only through the review page (approve or return).
        return False

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("reporting.review_submission")

    def get_urls(self):
        return [
            path(
                "<int:pk>/review/",
                self.admin_site.admin_view(self.review_view),
                name="reporting_submission_review",
            ),
            path(
                "evidence/<int:pk>/",
                self.admin_site.admin_view(evidence_download),
                name="reporting_evidence_download",
            ),
            *super().get_urls(),
        ]

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        submission = get_object_or_404(self.get_queryset(request), pk=pk)
        recommendation = submission.request.recommendation
        can_review = (
            self.has_review_permission(request) and submission.state == Submission.State.SUBMITTED
        )
        form = ReviewForm(
            request.POST if request.method == "POST" else None,
            submission=submission,
            initial={"text": submission.text, "status": submission.proposed_status},
        )
        if request.method == "POST":
            if not can_review:
                raise PermissionDenied
            if form.is_valid() and (response := self._review(request, submission, form)):
                return response
        latest = recommendation.latest_update
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review: {recommendation}, from {submission.request.organisation}",
            "opts": self.opts,
            "submission": submission,
            "recommendation": recommendation,
            "latest": latest,
            "diff": word_diff(latest.text if latest else "", submission.text),
            "evidence": submission.evidence.all(),
            "form": form,
            "can_review": can_review,
        }
        return TemplateResponse(request, "admin/reporting/review.html", context)

    def _review(self, request, submission: Submission, form: ReviewForm):
        data = form.cleaned_data
        recommendation = submission.request.recommendation
        try:
            if "return" in request.POST:
                services.return_submission(
                    submission=submission, officer=request.user, comment=data["comment"]
                )
                message = f"Returned the update on {recommendation} to its owner."
            else:
                services.approve_submission(
                    submission=submission,
                    officer=request.user,
                    text=data["text"],
                    status=data["status"],
                    public_evidence=data["public_evidence"],
                )
                message = f"Approved and published the update on {recommendation}."
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error("comment" if field == "review_comment" else None, errors)
            return None
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reporting_submission_changelist"))


def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file, to staff allowed to see evidence only: there is no public URL."""
    if not request.user.has_perm("reporting.view_evidence"):
        raise PermissionDenied
    evidence = get_object_or_404(Evidence, pk=pk)
    response = evidence_files.file_response(evidence)
    response["Cache-Control"] = "private, no-store"
    return response


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log that keeps each reminder to one sending: read only."""

    list_display = ["kind", "recipient", "round", "period", "sent_at"]
    list_filter = ["kind", "round"]
    date_hierarchy = "sent_at"


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """What the tracker emailed, or is still trying to: staff see failures here and may send
    a failed email again. The words are never shown (they may hold a one-time link)."""

    list_display = ["subject", "to", "kind", "state", "attempts", "queued_at", "sent_at"]
    list_filter = ["state", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "queued_at"
    fields = [
        "kind",
        "to",
        "subject",
        "state",
        "attempts",
        "last_error",
        "queued_at",
        "next_attempt_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Send the selected emails again", permissions=["change"])
    def send_again(self, request, queryset):
        count = send_again(queryset)
        self.message_user(
            request, f"{count} email(s) queued to be sent again (sent ones are left as they are)."
        )
