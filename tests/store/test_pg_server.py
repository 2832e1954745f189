"""The tests' PostgreSQL server itself: each test gets an empty database of its own, on 127.0.0.1."""

from urllib.parse import urlsplit


def test_each_test_gets_an_empty_database_of_its_own(pg_cluster, pg_url):
    import psycopg

    assert urlsplit(pg_url).hostname == "127.0.0.1"
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'").fetchone()
        assert tables == (0,)
        conn.execute("CREATE TABLE t (x text)")
    other = pg_cluster.create()
    try:
        assert other != pg_url
        with psycopg.connect(other) as conn:
            assert conn.execute("SELECT to_regclass('public.t')").fetchone() == (None,)
    finally:
        pg_cluster.drop(other)
