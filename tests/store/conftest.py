"""Every store test that opens a store runs on both backends (issue 30): ``store_location`` is a
SQLite file, then a fresh PostgreSQL database. Tests about SQLite files only (a damaged file, a
read-only folder, the write-ahead log) take ``tmp_path`` and say so."""

import pytest
from store_backends import BACKENDS, Cloner


def _location(request, tmp_path, name: str):
    if request.param == "sqlite":
        return tmp_path / name
    return request.getfixturevalue("pg_url")


@pytest.fixture(params=BACKENDS)
def store_location(request, tmp_path):
    """Where a test's store lives: ``tmp_path/assess.db``, or a ``postgresql://`` URL."""
    location = _location(request, tmp_path, "assess.db")
    yield location
    if request.param == "postgresql":
        from scoring.store.pg import close_pool

        close_pool(location)  # before the database is dropped


@pytest.fixture
def clone(request, tmp_path):
    """``clone(location)``: a copy of a store, for a test to spoil."""
    cloner = Cloner(tmp_path, request.getfixturevalue("pg_cluster") if "postgresql" in request.node.name else None)
    yield cloner
    if cloner.made:
        cloner.cleanup()


@pytest.fixture(scope="module", params=BACKENDS)
def module_location(request, tmp_path_factory):
    """A store location kept for a module (a store built once and only read, or cloned)."""
    if request.param == "sqlite":
        yield tmp_path_factory.mktemp("module") / "s.db"
        return
    cluster = request.getfixturevalue("pg_cluster")
    url = cluster.create("m")
    yield url
    from scoring.store.pg import close_pool

    close_pool(url)
    cluster.drop(url)
