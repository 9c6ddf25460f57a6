"""factory-boy factories for every model; tests build their data with these."""

import datetime

import factory
from django.contrib.auth import get_user_model

from recommendations.models import (
    Organisation,
    Ownership,
    ProgressUpdate,
    Recommendation,
    Section,
    Status,
)


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


class RecommendationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Recommendation

    number = factory.Sequence(lambda n: n + 1)
    text = factory.Faker("sentence", nb_words=18)
    section = Section.OTHER


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
