"""The access tests' world (world.py), built once per test module.

It is built inside a transaction that is rolled back when the module ends; each test runs in a
savepoint inside it (pytest-django's `db`), so every test starts from the same world and changes
nothing for the next one or for other modules. Building it once, rather than for each of the
matrix's thousand cells, is what keeps the access suite quick.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from tests.access.world import ROLES, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        world = build_world()
        # Each role signs in once; a test takes up that session (see test_matrix.sign_in_as).
        for role in ROLES[1:]:
            client = Client()
            client.force_login(world.user(role))
            world.session_keys[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
    try:
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
