import pytest

import toy_policy


@pytest.fixture(scope="session")
def rs_plugins():
    """The toy locality is registered like any plugin, with no change to the core."""
    return [("toy", toy_policy)]
