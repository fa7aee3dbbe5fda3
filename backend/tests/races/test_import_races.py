"""Import races (PostgreSQL): the same file twice, the same new meter, imports beside creates and moves."""

# Each round's closures run (in threads) and finish before the loop moves on.
# ruff: noqa: B023

from __future__ import annotations

import threading

from flask import Flask
from flask.testing import FlaskClient

from tests.factories import account

from .helpers import consistency, csv_file, need_pg, run_all, statuses


def test_the_same_file_imported_twice_at_once_is_imported_once(app: Flask, client: FlaskClient, db_kind: str) -> None:
    """Rows equal to an existing record are skipped; two concurrent uploads of one file both import everything."""
    need_pg(db_kind)
    doubled = 0
    for _ in range(5):
        acc = account(app, client)
        body = "date,meter,amount,cost,note\n" + "".join(
            f"2026-03-{1 + i % 28:02d},Water,{i},,n{i}\n" for i in range(300)
        )
        barrier = threading.Barrier(2)

        def imp() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/records/import", headers=acc.headers, data=csv_file(body))

        a, b = run_all([imp, imp], workers=2)
        assert a.status_code == b.status_code == 200, (a.get_json(), b.get_json())
        total = client.get("/api/records", headers=acc.headers).get_json()["total"]
        if total != 300:
            doubled += 1
    assert consistency(app) == []
    assert doubled == 0, f"{doubled}/5 rounds imported the same rows twice"


def test_concurrent_imports_creating_the_same_new_meter(app: Flask, client: FlaskClient, db_kind: str) -> None:
    need_pg(db_kind)
    seen: dict[int, int] = {}
    for n in range(5):
        acc = account(app, client)
        barrier = threading.Barrier(4)

        def imp(i: int) -> object:
            name = f"Solar{n}" if i % 2 else f"SOLAR{n}"
            body = "date,meter,amount,cost,note,type,unit\n" + "".join(
                f"2026-03-{1 + j % 28:02d},{name},{j},,,electricity,kWh\n" for j in range(50)
            )
            c = app.test_client()
            barrier.wait()
            return c.post("/api/records/import", headers=acc.headers, data=csv_file(body))

        res = run_all([lambda i=i: imp(i) for i in range(4)], workers=4)
        for code, count in statuses(res).items():
            seen[code] = seen.get(code, 0) + count
    assert all(code < 500 for code in seen), seen
    assert consistency(app) == []


def test_import_racing_creates_on_new_days(app: Flask, client: FlaskClient, db_kind: str) -> None:
    """An import recomputes its date span; a create inserting the first rollup row of a day in that span
    at the same moment makes the import's INSERT hit the unique key: the whole import fails."""
    need_pg(db_kind)
    seen: dict[int, int] = {}
    for n in range(5):
        acc = account(app, client)
        meter = acc.meters["Electricity"]
        body = (
            "date,meter,amount,cost,note\n"
            + "".join(f"2026-0{1 + n}-01,Electricity,{j},,\n" for j in range(1, 2000))
            + f"2026-0{1 + n}-28,Electricity,1,,\n"
        )
        barrier = threading.Barrier(8)

        def imp() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/records/import", headers=acc.headers, data=csv_file(body))

        def create(i: int) -> object:
            c = app.test_client()
            barrier.wait()
            return c.post(
                "/api/records",
                headers=acc.headers,
                json={"meter_id": meter, "date": f"2026-0{1 + n}-{2 + i:02d}", "amount": 1},
            )

        res = run_all([imp] + [lambda i=i: create(i) for i in range(7)])
        for code, count in statuses(res).items():
            seen[code] = seen.get(code, 0) + count
    assert consistency(app) == []
    assert seen.get(409, 0) == 0 and all(code < 500 for code in seen), seen


def test_record_move_racing_create_on_target_day(app: Flask, client: FlaskClient, db_kind: str) -> None:
    """A PATCH moving a record to an empty day recomputes that day; a create on the same day at once."""
    need_pg(db_kind)
    seen: dict[int, int] = {}
    for n in range(10):
        acc = account(app, client)
        meter = acc.meters["Electricity"]
        ids = [
            client.post(
                "/api/records", headers=acc.headers, json={"meter_id": meter, "date": "2026-01-01", "amount": 1}
            ).get_json()["id"]
            for _ in range(4)
        ]
        barrier = threading.Barrier(8)
        target = f"2026-06-{n + 1:02d}"

        def move(i: int) -> object:
            c = app.test_client()
            barrier.wait()
            return c.patch(f"/api/records/{ids[i]}", headers=acc.headers, json={"date": target})

        def create() -> object:
            c = app.test_client()
            barrier.wait()
            return c.post("/api/records", headers=acc.headers, json={"meter_id": meter, "date": target, "amount": 2})

        res = run_all([lambda i=i: move(i) for i in range(4)] + [create] * 4)
        for code, count in statuses(res).items():
            seen[code] = seen.get(code, 0) + count
    assert consistency(app) == []
    assert set(seen) <= {200, 201}, seen
