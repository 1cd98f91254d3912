"""The API on the dev server with a real worker, as in the events tests."""

from tests.events.conftest import any_db, relay_dev  # noqa: F401 - fixtures
