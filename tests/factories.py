"""factory-boy factories for every model; tests build their data with these."""

import datetime

import factory
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from boards.models import Action, AgendaItem, Attendance, Board, Meeting
from harris_tracker.roles import OWNER_CONTACT
from recommendations import services
from recommendations.models import (
    Organisation,
    Ownership,
    PreparedExport,
    ProgressUpdate,
    Recommendation,
    RecommendationLink,
    Review,
    ReviewSection,
    Section,
    Status,
)
from reporting.models import OwnerContact, Submission, UpdateRequest, UpdateRound


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"officer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@mopac.example")
    password = factory.django.Password("correct horse battery staple")
    is_staff = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Agency {n}")
    acronym = factory.Sequence(lambda n: f"AG{n}")
    slug = factory.Sequence(lambda n: f"ag{n}")


class ReviewFactory(factory.django.DjangoModelFactory):
    """The default review (harris-2016, as the migrations make it) unless given another slug;
    a review made here gets the 2016 Review's two sections."""

    class Meta:
        model = Review
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    slug = factory.LazyFunction(lambda: settings.DEFAULT_REVIEW)
    title = factory.LazyAttribute(lambda r: f"The {r.slug} review")
    short_title = factory.LazyAttribute(
        lambda r: (
            "Harris Review 2016" if r.slug == "harris-2016" else r.slug.replace("-", " ").title()
        )
    )
    made_by = "Lord Harris of Haringey"
    commissioned_by = "The Mayor of London"
    published_on = datetime.date(2016, 10, 31)

    @factory.post_generation
    def sections(review, create, extracted, **kwargs):
        if create and not review.sections.exists():
            for order, section in enumerate(Section if extracted is None else extracted, start=1):
                ReviewSection.objects.create(
                    review=review, slug=section.value, title=section.label, order=order
                )


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    review = factory.SubFactory(ReviewFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("sentence", nb_words=18)
    section = Section.OTHER


class RecommendationLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RecommendationLink

    from_recommendation = factory.SubFactory(RecommendationFactory)
    to_recommendation = factory.SubFactory(RecommendationFactory)
    kind = "related"


class OwnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ownership

    recommendation = factory.SubFactory(RecommendationFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    is_lead = True


class ProgressUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressUpdate

    recommendation = factory.SubFactory(RecommendationFactory)
    date = factory.Sequence(lambda n: datetime.date(2017, 1, 1) + datetime.timedelta(days=n))
    text = factory.Faker("paragraph", nb_sentences=3)
    status = Status.ONGOING
    source = "Agency return"
    published = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        update = super()._create(model_class, *args, **kwargs)
        # As every service that writes updates does: the stored position follows.
        services.refresh_positions(recommendation_ids=[update.recommendation_id])
        return update


class BoardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Board
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Board {n}")
    short_name = factory.Sequence(lambda n: f"B{n}")
    slug = factory.Sequence(lambda n: f"board-{n}")
    purpose = "To oversee London's response to the Harris Review."
    established_on = datetime.date(2015, 3, 10)
    remit = "Pursue, Prevent, Protect, Prepare."
    chair = "Deputy Mayor for Policing and Crime"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    board = factory.SubFactory(BoardFactory)
    date = factory.Sequence(lambda n: datetime.date(2017, 1, 18) + datetime.timedelta(days=7 * n))
    place = "City Hall"
    status = Meeting.Status.HELD
    minutes_status = Meeting.MinutesStatus.PUBLISHED
    summary = "The board met and reviewed progress."


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    meeting = factory.SubFactory(MeetingFactory)
    person = factory.Faker("name")
    role = "Director"
    organisation = factory.SubFactory(OrganisationFactory)
    kind = Attendance.Kind.MEMBER


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Faker("sentence", nb_words=4)
    minutes = "1.1 The board noted the report."

    @factory.post_generation
    def recommendations(self, create, extracted, **kwargs):
        if create and extracted:
            self.recommendations.set(extracted)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action
        skip_postgeneration_save = True

    meeting = factory.SubFactory(MeetingFactory)
    reference = factory.Sequence(lambda n: f"Action {n + 1}")
    text = factory.Faker("sentence", nb_words=12)
    status = Action.Status.OPEN

    @factory.post_generation
    def owners(self, create, extracted, **kwargs):
        if create and extracted:
            self.owners.set(extracted)

    @factory.post_generation
    def recommendations(self, create, extracted, **kwargs):
        if create and extracted:
            self.recommendations.set(extracted)


class StaffUserFactory(UserFactory):
    """A staff user in one of the roles of harris_tracker/roles.py: role="Auditor"."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=extracted or "MOPAC officer"))


class OwnerContactFactory(factory.django.DjangoModelFactory):
    """A contact (not staff) for organisations=[…] (a new organisation if none is given)."""

    class Meta:
        model = OwnerContact
        skip_postgeneration_save = True

    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"contact{n}"), is_staff=False
    )

    @factory.post_generation
    def organisations(self, create, extracted, **kwargs):
        if create:
            self.organisations.set(extracted or [OrganisationFactory()])
            # get_or_create: a transactional test's flush removes the migration's groups.
            self.user.groups.add(Group.objects.get_or_create(name=OWNER_CONTACT)[0])


class UpdateRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdateRound

    name = factory.Sequence(lambda n: f"Round {n}")
    due_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=30))


class UpdateRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UpdateRequest

    round = factory.SubFactory(UpdateRoundFactory)
    recommendation = factory.SubFactory(RecommendationFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    is_lead = True


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    request = factory.SubFactory(UpdateRequestFactory)
    text = factory.Faker("paragraph", nb_sentences=2)
    date = datetime.date(2018, 6, 1)
    proposed_status = Status.ONGOING
    state = Submission.State.DRAFT


class PreparedExportFactory(factory.django.DjangoModelFactory):
    """A workbook export a staff user asked for, ready with a small file unless state= says."""

    class Meta:
        model = PreparedExport

    requested_by = factory.SubFactory(StaffUserFactory)
    name = "Boards"
    kind = "admin"
    params = factory.LazyFunction(lambda: {"model": "boards.Board", "form": "format=1&resource=0"})
    filename = factory.Sequence(lambda n: f"boards-{n}.xlsx")
    state = PreparedExport.State.READY
    file = factory.Maybe(
        factory.LazyAttribute(lambda export: export.state == PreparedExport.State.READY),
        yes_declaration=factory.django.FileField(filename="boards.xlsx", data=b"PK workbook"),
        no_declaration="",
    )
