"""Data loaded once for all the tests of a module that only read it.

Loading the real fixtures takes about a third of a second; the modules that check them run
dozens of tests. `loaded_for_module` loads once inside a transaction and rolls it back after
the module's last test, as Django's `TestCase.setUpTestData` does: each test still runs in
its own savepoint (it asks for `db`), so nothing a test writes outlives it, and no other
module sees the data. Not for transactional tests (`transaction=True`, `live_server`),
whose flush would empty the tables under the module.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def loaded_for_module(django_db_blocker, load: Callable[[], None]) -> Iterator[None]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            load()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
