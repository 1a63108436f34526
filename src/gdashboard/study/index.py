"""The study's results index: one SQLite file (``study.sqlite``, WAL mode) in the study folder.

One row per task: its state (``pending``, ``running``, ``done``, ``failed``), attempts,
the last error's one line, where and on what device it ran, when, how long, the
metrics (test and validation AUC) or motif counts, and the folder it wrote. The
folders are the truth and the index their summary: :func:`rebuild` makes it again
from them (``gdash study index DIR --rebuild``).

SQLite from the standard library; several processes may write at once: WAL mode lets
readers go on beside one writer, each write is one short ``BEGIN IMMEDIATE``
transaction, and a writer that finds the database locked waits (``busy_timeout``) and
then retries, so "database is locked" never escapes to the caller.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

INDEX_FILE = "study.sqlite"
STATES = ("pending", "running", "done", "failed")
COLUMNS = (
    "id",
    "step",
    "experiment",
    "model",
    "preset",
    "pooling",
    "seed",
    "state",
    "attempts",
    "error",
    "host",
    "device",
    "started",
    "finished",
    "seconds",
    "test_auc",
    "validation_auc",
    "result",
    "path",
)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    step TEXT NOT NULL,
    experiment TEXT NOT NULL,
    model TEXT NOT NULL,
    preset TEXT NOT NULL,
    pooling TEXT,
    seed INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    host TEXT,
    device TEXT,
    started REAL,
    finished REAL,
    seconds REAL,
    test_auc REAL,
    validation_auc REAL,
    result TEXT,
    path TEXT
);
CREATE INDEX IF NOT EXISTS tasks_state ON tasks (state);
"""
_RETRIES = 50


class StudyIndex:
    """The index of one study folder. Each call opens its own short transaction, so an
    index object may be shared by threads, and any number of processes may open the
    same file."""

    def __init__(self, study: str | os.PathLike):
        self.path = Path(study) / INDEX_FILE
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # executescript commits on its own: the schema is made outside _transaction
        # (CREATE ... IF NOT EXISTS, safe when several processes open a new index at once).
        connection = self._connect()
        try:
            connection.executescript(_SCHEMA)
        finally:
            connection.close()

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA busy_timeout = 30000")
        if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        # Taking the write lock (BEGIN IMMEDIATE) is the only step that can meet another
        # writer; it is retried. Once held, the body runs alone and its errors propagate.
        connection = None
        for attempt in range(_RETRIES):
            try:
                connection = self._connect()
                connection.execute("BEGIN IMMEDIATE")
                break
            except sqlite3.OperationalError as error:
                if connection is not None:
                    connection.close()
                    connection = None
                if not ("locked" in str(error) or "busy" in str(error)) or attempt == _RETRIES - 1:
                    raise
                time.sleep(0.05 + random.random() * 0.2)
        try:
            try:
                yield connection
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")
        finally:
            connection.close()

    def add(self, tasks: Iterable) -> None:
        """Record tasks (``Task`` objects) as pending unless already known."""
        rows = [(t.id, t.step, t.experiment, t.model, t.preset, t.pooling, t.seed) for t in tasks]
        with self._transaction() as connection:
            connection.executemany(
                "INSERT OR IGNORE INTO tasks (id, step, experiment, model, preset, pooling, seed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def update(self, task_id: str, **values) -> None:
        """Set columns of one task (``result`` may be a dict: stored as JSON)."""
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise ValueError(f"unknown index column(s): {', '.join(sorted(unknown))}")
        if isinstance(values.get("result"), (dict, list)):
            values["result"] = json.dumps(values["result"], sort_keys=True)
        assignments = ", ".join(f"{key} = ?" for key in values)
        with self._transaction() as connection:
            connection.execute(f"UPDATE tasks SET {assignments} WHERE id = ?", [*values.values(), task_id])

    def start(self, task_id: str, host: str, device: str) -> None:
        with self._transaction() as connection:
            connection.execute(
                "UPDATE tasks SET state = 'running', attempts = attempts + 1, host = ?, device = ?, started = ?, "
                "finished = NULL, error = NULL WHERE id = ?",
                (host, device, time.time(), task_id),
            )

    def finish(self, task_id: str, result: dict) -> None:
        now = time.time()
        self.update(
            task_id,
            state="done",
            finished=now,
            seconds=result.get("seconds"),
            test_auc=result.get("test_auc"),
            validation_auc=result.get("validation_auc"),
            result=result,
            path=result.get("path"),
            error=None,
        )

    def remove(self, task_ids: Iterable[str]) -> None:
        """Forget tasks whose output was set aside (no longer part of the study)."""
        with self._transaction() as connection:
            connection.executemany("DELETE FROM tasks WHERE id = ?", [(task_id,) for task_id in task_ids])

    def fail(self, task_id: str, error: str) -> None:
        self.update(task_id, state="failed", finished=time.time(), error=error)

    def rows(self, state: str | None = None) -> list[dict]:
        connection = self._connect()
        try:
            query = "SELECT * FROM tasks" + (" WHERE state = ?" if state else "") + " ORDER BY id"
            rows = [dict(row) for row in connection.execute(query, (state,) if state else ())]
        finally:
            connection.close()
        for row in rows:
            if row["result"]:
                row["result"] = json.loads(row["result"])
        return rows

    def write_csv(self, path: str | os.PathLike) -> int:
        """Every task as one CSV row (all columns; ``result`` as JSON, ``started`` and
        ``finished`` as UTC times), written atomically: the figures of a study kept
        where its run folders are not (e.g. in git). Returns the number of rows."""
        import csv
        import datetime
        import io

        from gdashboard.fileio import write_text

        def cell(key: str, value):
            if value is None:
                return ""
            if key in ("started", "finished"):
                return datetime.datetime.fromtimestamp(value, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
            if key == "result":
                return json.dumps(value, sort_keys=True)
            return value

        rows = self.rows()
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([cell(key, row[key]) for key in COLUMNS])
        write_text(path, buffer.getvalue())
        return len(rows)

    def counts(self) -> dict[str, int]:
        counted = dict.fromkeys(STATES, 0)
        for row in self.rows():
            counted[row["state"]] += 1
        return counted
