"""Two saves of one request's answer at the same moment (a double click, or two colleagues):
one draft or one submission results, never a server error."""

import datetime
import threading

import pytest
from django.db import connection, connections

from recommendations.models import Status
from reporting.models import Submission
from reporting.services import save_submission
from tests.factories import OrganisationFactory, OwnerContactFactory, UpdateRequestFactory


def save_twice_at_once(*, submit: bool) -> list[str]:
    organisation = OrganisationFactory()
    contact = OwnerContactFactory(organisations=[organisation])
    request = UpdateRequestFactory(organisation=organisation)
    barrier = threading.Barrier(2)
    outcomes = []

    def save():
        try:
            barrier.wait()
            save_submission(request=request, author=contact.user, text="Crews trained.",
                            date=datetime.date(2018, 6, 1), proposed_status=Status.ONGOING,
                            submit=submit)  # fmt: skip
            outcomes.append("saved")
        except Exception as error:  # the test reports any kind, 500s included
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("submit", [False, True], ids=["save as draft", "submit"])
def test_two_saves_at_once_give_one_answer_and_no_error(submit):
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections with row locks")

    outcomes = save_twice_at_once(submit=submit)

    assert set(outcomes) <= {"saved", "ValidationError"}, outcomes
    assert Submission.objects.count() == 1
