"""The portal's PostgreSQL sessions run without JIT: at health-system size, plans whose cost
estimate crossed the JIT threshold spent 454 of 487 ms compiling."""

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_postgresql_sessions_run_without_jit() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
