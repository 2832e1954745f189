"""The evaluation store: the only room that touches SQL. ``db`` is the file and its migrations;
``rounds`` a round's life, ``publish`` its frozen revisions and their proof; ``evidence``,
``accounts`` and ``access`` what is kept beside them and who may do what."""

from scoring.store.db import (
    INSERT_ONLY,
    MIGRATIONS,
    SCHEMA_VERSION,
    Store,
    StoreUnusable,
    default_actor,
    default_db_path,
    now,
    open_store,
)

__all__ = ["INSERT_ONLY", "MIGRATIONS", "SCHEMA_VERSION", "Store", "StoreUnusable", "default_actor", "default_db_path",
           "now", "open_store"]  # fmt: skip
