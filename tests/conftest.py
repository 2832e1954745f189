"""Test outcomes available to fixtures, so that a failed browser test leaves its page behind."""

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def pytest_addoption(parser):
    parser.addoption(
        "--regen-golden",
        action="store_true",
        help="rewrite tests/testdata/golden/ from what the code writes now, instead of comparing with it",
    )


@pytest.fixture
def regen_golden(request) -> bool:
    return request.config.getoption("--regen-golden")


@pytest.fixture(scope="session")
def pg_cluster():
    """The session's PostgreSQL cluster (tests/pg_server.py); skips outside CI where none is installed."""
    from pg_server import start_cluster, unavailable, wait_ready

    try:
        cluster = start_cluster()
    except Exception as exc:  # a cluster that will not start is reported, never a silent pass
        unavailable(f"PostgreSQL cluster did not start: {exc}")
    if cluster is None:
        unavailable("PostgreSQL (postgresql-15) is not installed")
    wait_ready(cluster.url("postgres"))
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster):
    """A new, empty PostgreSQL database on the session's cluster; dropped after the test."""
    url = pg_cluster.create()
    yield url
    pg_cluster.drop(url)
