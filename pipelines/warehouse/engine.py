"""The warehouse's engine: the workspace's DuckDB file, or PostgreSQL when
OSSERVATORIO_WAREHOUSE_URL names one (interfaces.md). Every Python writer and reader of the
raw and meta schemas goes through `Connection`: SQL written for both engines, `?` for
parameters, DataFrames in and out, explicit `begin`/`commit` as DuckDB has them.

psycopg and pandas are imported when used: a run with nothing new needs neither.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import decimal
import functools
import hashlib
import hmac
import os
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import duckdb

from pipelines.settings import DatabaseUrl, Settings, mask
from pipelines.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd
    import psycopg

Engine = Literal["duckdb", "postgres"]
Params = Sequence[object] | None

# A list of strings passed as one parameter, as rows: `... in (select {TEXTS})` on both engines.
TEXTS = "unnest(cast(? as varchar[]))"


class Rows(Protocol):
    """What `execute` returns: the statement's rows, if any."""

    def fetchone(self) -> tuple[Any, ...] | None: ...

    def fetchall(self) -> list[tuple[Any, ...]]: ...


class WarehouseUnreachable(RuntimeError):
    """The PostgreSQL warehouse refused the connection (the message never holds its password)."""


class Connection(ABC):
    """One connection to the warehouse, the same calls on both engines."""

    engine: Engine

    @property
    @abstractmethod
    def error(self) -> type[Exception]:
        """The driver's base exception (duckdb.Error, psycopg.Error)."""

    @abstractmethod
    def execute(self, sql: str, params: Params = None) -> Rows: ...

    @abstractmethod
    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    @abstractmethod
    def frame(self, sql: str, params: Params = None) -> pd.DataFrame: ...

    @abstractmethod
    def insert_frame(self, table: str, df: pd.DataFrame) -> None:
        """Append the frame's rows to `table`, its columns matched by name."""

    @abstractmethod
    def temp_table_from_frame(self, name: str, df: pd.DataFrame, like: str | None = None) -> None:
        """The temporary table `name` (replaced if there is one) holding the frame's rows;
        it lives in this connection only, never in the warehouse. Its column types are the
        frame's; on PostgreSQL a column with no value to tell takes the type of the same
        column of the table `like` (text without one)."""

    @abstractmethod
    def close(self) -> None: ...

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together, or nothing does."""
        self.execute("begin transaction")
        try:
            yield
            self.execute("commit")
        except BaseException:
            self.execute("rollback")
            raise

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect(settings: Settings) -> Connection:
    """The warehouse the settings name: PostgreSQL with a URL, else the workspace's file."""
    if settings.warehouse_url is not None:
        return connect_postgres(settings.warehouse_url)
    return open_duckdb(Workspace(settings.home).warehouse)


def open_duckdb(path: Path) -> Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return DuckDBConnection(duckdb.connect(str(path)))


def connect_postgres(url: DatabaseUrl) -> Connection:
    """Autocommit, so that `begin`/`commit` statements delimit transactions as on DuckDB."""
    import psycopg

    try:
        return PostgresConnection(psycopg.connect(url.reveal(), autocommit=True))
    except psycopg.Error as exc:
        why = mask(str(exc), url.password)
    # raised outside the handler: the driver's exception does not travel with it
    raise WarehouseUnreachable(f"cannot connect to the warehouse {url.masked()}: {why}")


class DuckDBConnection(Connection):
    engine: Engine = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con

    @property
    def error(self) -> type[Exception]:
        return duckdb.Error

    def execute(self, sql: str, params: Params = None) -> Rows:
        return self.con.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self.con.executemany(sql, rows)

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        return self.con.execute(sql, params).df()

    def insert_frame(self, table: str, df: pd.DataFrame) -> None:
        with self._registered(df) as incoming:
            self.con.execute(f"insert into {table} by name select * from {incoming}")

    def temp_table_from_frame(self, name: str, df: pd.DataFrame, like: str | None = None) -> None:
        with self._registered(df) as incoming:
            self.con.execute(f"create or replace temp table {name} as select * from {incoming}")

    def close(self) -> None:
        self.con.close()

    @contextlib.contextmanager
    def _registered(self, df: pd.DataFrame) -> Iterator[str]:
        self.con.complete()  # DuckDB registers nothing while a result is half read
        self.con.register("incoming", df)
        try:
            yield "incoming"
        finally:
            self.con.unregister("incoming")


class PostgresConnection(Connection):
    engine: Engine = "postgres"

    def __init__(self, con: psycopg.Connection) -> None:
        self.con = con

    @property
    def error(self) -> type[Exception]:
        import psycopg

        return psycopg.Error

    def execute(self, sql: str, params: Params = None) -> Rows:
        if params is None:  # psycopg reads no placeholders then, and takes several statements
            return self.con.execute(sql)
        return self.con.execute(placeholders(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        with self.con.cursor() as cur:
            cur.executemany(placeholders(sql), rows)

    def frame(self, sql: str, params: Params = None) -> pd.DataFrame:
        import pandas as pd

        with self.con.cursor() as cur:
            cur.execute(placeholders(sql) if params is not None else sql, params)
            columns = [c.name for c in cur.description or ()]
            return pd.DataFrame(cur.fetchall(), columns=columns)

    def insert_frame(self, table: str, df: pd.DataFrame) -> None:
        # through a temporary table, so that values cast to the table's types as on DuckDB
        self.temp_table_from_frame("incoming", df, like=table)
        columns = ", ".join(_quoted(str(c)) for c in df.columns)
        self.con.execute(f"insert into {table} ({columns}) select {columns} from incoming")
        self.con.execute("drop table pg_temp.incoming")

    def temp_table_from_frame(self, name: str, df: pd.DataFrame, like: str | None = None) -> None:
        # Typed as DuckDB types a frame: inserting from the table then casts as DuckDB would.
        types = {str(c): _sql_type(df[c]) for c in df.columns}
        if like is not None and None in types.values():
            known = self._column_types(like)
            types = {c: t or known.get(c) for c, t in types.items()}
        columns = ", ".join(f"{_quoted(c)} {t or 'text'}" for c, t in types.items())
        self.con.execute(f"drop table if exists pg_temp.{_quoted(name)}")
        self.con.execute(f"create temp table {_quoted(name)} ({columns})")
        self._copy(_quoted(name), df)

    def close(self) -> None:
        self.con.close()

    def copy_out(self, sql: str, path: Path) -> None:
        """A `copy ... to stdout` statement's output into a file (the fastest way out)."""
        with open(path, "wb") as fh, self.con.cursor() as cur, cur.copy(sql) as copy:
            for data in copy:
                fh.write(data)

    def _column_types(self, table: str) -> dict[str, str]:
        rows = self.con.execute(
            "select attname, format_type(atttypid, atttypmod) from pg_attribute "
            "where attrelid = cast(%s as regclass) and attnum > 0 and not attisdropped",
            [table],
        ).fetchall()
        return {str(c): str(t) for c, t in rows}

    def _copy(self, table: str, df: pd.DataFrame) -> None:
        """COPY the frame's rows in (the fastest way into PostgreSQL), in the frame's order."""
        names = ", ".join(_quoted(str(c)) for c in df.columns)
        values = [_python_values(df[c]) for c in df.columns]
        with (
            self.con.cursor() as cur,
            cur.copy(f"copy {table} ({names}) from stdin") as copy,
        ):
            for row in zip(*values, strict=True):
                copy.write_row(row)


@functools.lru_cache(maxsize=256)
def placeholders(sql: str) -> str:
    """DuckDB's `?` placeholders as psycopg's `%s` (and a literal `%` as `%%`), outside quotes."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if ch == "%":
            out.append("%%")
        elif quote:
            quote = "" if ch == quote else quote
            out.append(ch)
        elif ch in "'\"":
            quote = ch
            out.append(ch)
        else:
            out.append("%s" if ch == "?" else ch)
    return "".join(out)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# PostgreSQL column types of frame columns: by dtype, or by the first value of an object column.
_BY_KIND = {"b": "boolean", "i": "bigint", "u": "bigint", "f": "double precision"}
_BY_VALUE: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "bigint"),
    (float, "double precision"),
    (decimal.Decimal, "numeric"),
    (dt.datetime, "timestamp"),  # before date: a datetime is a date
    (dt.date, "date"),
)


def _sql_type(column: pd.Series) -> str | None:
    """None: an object column with no value."""
    kind = column.dtype.kind
    if kind == "M":
        return "timestamptz" if getattr(column.dtype, "tz", None) else "timestamp"
    if kind in _BY_KIND:
        return _BY_KIND[kind]
    first = column.dropna()
    if first.empty:
        return None
    value = first.iloc[0]
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return "timestamptz"
    return next((t for cls, t in _BY_VALUE if isinstance(value, cls)), "text")


def _python_values(column: pd.Series) -> list[object]:
    """The column as Python values, None for NaN, NaT and NA (as DuckDB reads a frame)."""
    values: list[object] = column.tolist()
    for i in column.isna().to_numpy().nonzero()[0]:
        values[i] = None
    return values


# The analysts' role --------------------------------------------------------------------------
READER_ROLE = "osservatorio_reader"
READER_SCHEMA = "marts"


def create_reader_role(connection: Connection, password: str) -> None:
    """The role `osservatorio_reader` (created, or its password updated): it signs in, reads
    every table and view of `marts`, those the platform creates there later too, and writes
    nothing. The server receives only a SCRAM verifier, never the password itself."""
    if connection.engine != "postgres":
        raise ValueError("the reader role exists only on PostgreSQL (OSSERVATORIO_WAREHOUSE_URL)")
    role, schema = _quoted(READER_ROLE), _quoted(READER_SCHEMA)
    attributes = "login noinherit nocreatedb nocreaterole"
    database = connection.execute("select current_database()").fetchone()
    assert database is not None
    connection.execute(
        f"do $$ begin if not exists (select from pg_roles where rolname = '{READER_ROLE}') "
        f"then create role {role} {attributes}; end if; end $$"
    )
    connection.execute(f"alter role {role} {attributes} password '{scram_verifier(password)}'")
    connection.execute(f"create schema if not exists {schema}")
    for statement in (
        f"grant usage on schema {schema} to {role}",
        f"grant select on all tables in schema {schema} to {role}",
        f"alter default privileges in schema {schema} grant select on tables to {role}",
        f"revoke create on database {_quoted(str(database[0]))} from {role}",
        f"revoke create on schema public from {role}",
        "revoke create on schema public from public",  # PostgreSQL 15's default, made sure
    ):
        connection.execute(statement)


SCRAM_ITERATIONS = 4096  # PostgreSQL's default (scram_iterations)


def scram_verifier(password: str, salt: bytes | None = None) -> str:
    """What PostgreSQL stores for a SCRAM-SHA-256 password (RFC 5802, RFC 7677)."""
    salt = salt or os.urandom(16)
    normalised = unicodedata.normalize("NFKC", password).encode()  # SASLprep, for common text
    salted = hashlib.pbkdf2_hmac("sha256", normalised, salt, SCRAM_ITERATIONS)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(data: bytes) -> str:
        return base64.b64encode(data).decode()

    stored_key = hashlib.sha256(client_key).digest()
    return f"SCRAM-SHA-256${SCRAM_ITERATIONS}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"
