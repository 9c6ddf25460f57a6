"""The owner portal: where an owning organisation's contacts see what a round asks of them and
send their updates for an officer to review.

Every page here is about one signed-in contact, so none is cached (see public.middleware) and
anything outside the contact's organisations is a 404: whether it exists is nobody's business.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from public.forms import ContactPasswordResetForm, ContactSignInForm, OwnerUpdateForm
from public.password_reset import reset_allowed, send_password_reset
from recommendations.models import Ownership, Recommendation
from reporting.models import (
    Evidence,
    OwnerContact,
    Submission,
    UpdateRequest,
    organisations_for_contact,
    recommendations_for_contact,
    requests_for_contact,
)
from reporting.services import save_submission

SIGN_IN_URL = reverse_lazy("owners:sign-in")

#: A request can still be answered unless an answer awaits review or has been approved.
ANSWERED_STATES = (Submission.State.SUBMITTED, Submission.State.APPROVED)
#: The service's argument names that the form calls otherwise.
SERVICE_FIELDS = {"files": "evidence"}


def contact_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in owner contacts only: anonymous visitors are sent to sign in, and anyone else
    signed in (staff) is told the portal is not for them."""

    @never_cache
    @login_required(login_url=SIGN_IN_URL)
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not OwnerContact.objects.filter(user=request.user).exists():
            return render(request, "public/owners/not_a_contact.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _newest_first_submissions(user) -> Prefetch:
    return Prefetch(
        "submissions",
        queryset=Submission.objects.for_contact(user).order_by("-created_at", "-pk"),
        to_attr="newest_submissions",
    )


def _with_latest(requests: list[UpdateRequest]) -> list[UpdateRequest]:
    """Give each request `latest`, its newest submission (draft or not, None if none), and
    `last_returned`, the returned one the contact is still answering (None once resubmitted)."""
    for update_request in requests:
        submissions = update_request.newest_submissions
        latest = update_request.latest = next(iter(submissions), None)
        answering = latest is not None and latest.state not in ANSWERED_STATES
        update_request.last_returned = next(
            (s for s in submissions if s.state == Submission.State.RETURNED and answering), None
        )
    return requests


@contact_required
def home(request: HttpRequest) -> HttpResponse:
    """The contact's recommendations and, for each, what the open round asks and where the
    answer stands."""
    requests = _with_latest(
        list(
            requests_for_contact(request.user)
            .prefetch_related(_newest_first_submissions(request.user))
            .order_by("round__due_date", "recommendation__number", "-is_lead")
        )
    )
    asked = {update_request.recommendation_id for update_request in requests}
    recommendations = (
        recommendations_for_contact(request.user)
        .prefetch_related(
            Prefetch("ownerships", queryset=Ownership.objects.select_related("organisation"))
        )
        .order_by("number")
    )
    context = {
        "requests": requests,
        "rounds": sorted({r.round for r in requests}, key=lambda rnd: rnd.due_date),
        "recommendations": recommendations,
        "asked": asked,
        "organisations": organisations_for_contact(request.user).order_by("name"),
    }
    return render(request, "public/owners/home.html", context)


@contact_required
def recommendation(request: HttpRequest, number: int) -> HttpResponse:
    """One recommendation the contact's organisations own, its published history, and the form
    for their update (saved as a draft or submitted for review)."""
    # The portal's URLs name the default review's recommendations (per-review ones come later).
    owned = recommendations_for_contact(request.user).of_default_review()
    recommendation = get_object_or_404(owned, number=number)
    requests = _with_latest(
        list(
            requests_for_contact(request.user)
            .filter(recommendation=recommendation)
            .prefetch_related(_newest_first_submissions(request.user))
            .order_by("round__due_date", "-is_lead", "organisation__name")
        )
    )
    answerable = [r for r in requests if not (r.latest and r.latest.state in ANSWERED_STATES)]
    form = None
    if answerable:
        choices = UpdateRequest.objects.filter(pk__in=[r.pk for r in answerable]).select_related(
            "round", "organisation"
        )
        if request.method == "POST":
            form = OwnerUpdateForm(request.POST, request.FILES, requests=choices)
            if form.is_valid() and _save(request, form):
                return redirect("owners:home")
        else:
            form = OwnerUpdateForm(
                initial=_initial(answerable[0], recommendation), requests=choices
            )
    elif request.method == "POST":
        messages.error(request, "Nothing is asked of you on this recommendation now.")
        return redirect("owners:recommendation", number=number)
    context = {
        "recommendation": recommendation,
        "updates": recommendation.updates.published().newest_first(),
        "requests": requests,
        "form": form,
        "single_request": len(answerable) == 1,
    }
    return render(request, "public/owners/recommendation.html", context)


def _initial(update_request: UpdateRequest, recommendation: Recommendation) -> dict[str, Any]:
    """The draft or returned answer to carry on with, or the recommendation's status."""
    latest = update_request.latest
    initial: dict[str, Any] = {
        "request": update_request.pk,
        "proposed_status": recommendation.status,
    }
    if latest is not None:
        initial.update(text=latest.text, date=latest.date, proposed_status=latest.proposed_status)
    return initial


def _save(request: HttpRequest, form: OwnerUpdateForm) -> bool:
    """Hand the form to the service; any refusal goes back on the form, naming the field."""
    submit = request.POST.get("action") == "submit"
    data = form.cleaned_data
    try:
        submission = save_submission(
            request=data["request"],
            author=request.user,
            text=data["text"],
            date=data["date"],
            proposed_status=data["proposed_status"],
            files=data["evidence"],
            submit=submit,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                field = SERVICE_FIELDS.get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return False
    number = submission.request.recommendation.number
    if submit:
        note = (
            " It asks for the recommendation to be closed."
            if submission.is_closure_request
            else ""
        )
        messages.success(
            request,
            f"Your update on recommendation {number} was sent for review.{note} "
            "It will not be published until an officer approves it.",
        )
    else:
        messages.success(
            request,
            f"Your draft update on recommendation {number} was saved. Submit it when ready.",
        )
    return True


@contact_required
def submission(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the organisation's submissions, as sent, with its evidence and any comment."""
    submission = get_object_or_404(
        Submission.objects.for_contact(request.user).select_related(
            "request__recommendation", "request__organisation", "request__round"
        ),
        pk=pk,
    )
    return render(
        request,
        "public/owners/submission.html",
        {"submission": submission, "evidence": submission.evidence.all()},
    )


@contact_required
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A file the organisation sent, for its own contacts only (never from a public URL)."""
    file = get_object_or_404(
        Evidence.objects.filter(submission__in=Submission.objects.for_contact(request.user)),
        pk=pk,
    )
    try:
        handle = file.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is no longer stored") from missing
    return FileResponse(
        handle,
        as_attachment=True,
        filename=file.original_name,
        content_type=file.content_type or "application/octet-stream",
    )


class SignInView(auth_views.LoginView):
    """Through django-axes like the admin's sign-in: repeated failures lock the account out."""

    template_name = "public/owners/sign_in.html"
    authentication_form = ContactSignInForm
    redirect_authenticated_user = True
    next_page = reverse_lazy("owners:home")


class SignOutView(auth_views.LogoutView):
    template_name = "public/owners/signed_out.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for a set-password link (the invitation's kind). The page never says whether the
    address is known, and takes as long either way: it only counts the request against the
    hourly limits and queues the task that looks the address up and sends the email
    (`public.password_reset`)."""

    template_name = "public/owners/password_reset.html"
    form_class = ContactPasswordResetForm
    success_url = reverse_lazy("owners:password-reset-sent")

    def form_valid(self, form: ContactPasswordResetForm) -> HttpResponse:
        address = form.cleaned_data["email"]
        if reset_allowed(address=address, client=get_client_ip_address(self.request)):
            transaction.on_commit(partial(send_password_reset.enqueue, address))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetSentView(TemplateView):
    template_name = "public/owners/password_reset_sent.html"


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """The page the invitation (or a "forgot password" email) links to."""

    template_name = "public/owners/password_set.html"
    success_url = reverse_lazy("owners:password-set-done")


class PasswordSetDoneView(TemplateView):
    template_name = "public/owners/password_set_done.html"
