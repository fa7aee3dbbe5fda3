from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.test_import_export import counts, records_of
from tests.factories import Account, account, add_record


@pytest.fixture
def acc(app: Flask, client: FlaskClient) -> Account:
    return account(app, client)


def test_import_command(app: Flask, acc: Account, tmp_path: Path) -> None:
    add_record(app, acc.id, acc.meters["Gas"], "2024-01-01", "1")
    path = tmp_path / "in.csv"
    path.write_text(
        "\ufeffdate;meter;amount;cost;note;type;unit\n"
        "2024-01-01;Gas;1;;;;\n"
        "2024-01-02;Pond;2.5;1.20;first;water;L\n"
        '2024-01-03;pond;3;;"multi\nline";;\n',
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["records", "import", str(path), "--user", acc.email.upper()])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 2 record(s); skipped 1 duplicate(s).\nCreated meter(s): Pond\n"
    assert "Importing" in result.stderr
    assert records_of(app, acc.id)[1:] == [
        ("Pond", "water", "L", date(2024, 1, 2), 2500, 120, "first"),
        ("Pond", "water", "L", date(2024, 1, 3), 3000, None, "multi\nline"),
    ]


def test_import_command_dry_run_writes_nothing(app: Flask, acc: Account, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("date,meter,amount,cost,note\n2024-01-01,Gas,1,,\n2024-01-01,Gas,1,,\n", encoding="utf-8")
    before = counts(app)
    result = app.test_cli_runner().invoke(args=["records", "import", str(path), "--user", acc.email, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "Would import 1 record(s); skipped 1 duplicate(s).\n"
    assert counts(app) == before


def test_import_command_reports_every_bad_row(app: Flask, acc: Account, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        "date,meter,amount,cost,note\n2024-01-01,Gas,-1,,\n2024-01-02,Gas,1,,\n2024-02-30,Gas,1,,\n", encoding="utf-8"
    )
    before = counts(app)
    result = app.test_cli_runner().invoke(args=["records", "import", str(path), "--user", acc.email])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "row 1, amount: must not be negative\n" in result.stderr
    assert "row 3, date: must be a real calendar date in the form YYYY-MM-DD\n" in result.stderr
    assert result.stderr.endswith("Error: The file has invalid rows; nothing was imported (every problem is listed).\n")
    assert counts(app) == before


def test_import_command_unknown_user(app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("date,meter,amount,cost,note\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["records", "import", str(path), "--user", "nobody@example.com"])
    assert result.exit_code == 1
    assert result.stderr == "Error: No user with e-mail nobody@example.com\n"


def test_export_command_matches_the_api_and_round_trips(
    app: Flask, client: FlaskClient, acc: Account, tmp_path: Path
) -> None:
    add_record(app, acc.id, acc.meters["Water"], "2024-01-02", "1.25", "0.50", 'note, with "quotes"\nand a line')
    add_record(app, acc.id, acc.meters["Gas"], "2024-01-05", "3.5", None, None)
    add_record(app, acc.id, acc.meters["Electricity"], "2024-02-01", "100", "20", "e")
    runner = app.test_cli_runner()
    csv_out = runner.invoke(args=["records", "export", "--user", acc.email])
    assert csv_out.exit_code == 0, csv_out.output
    assert csv_out.stdout_bytes == client.get("/api/records/export", headers=acc.headers).data

    filtered = runner.invoke(
        args=[
            "records", "export", "--user", acc.email, "--format", "json",
            "--type", "water", "--type", "gas", "--date-from", "2024-01-01", "--date-to", "2024-01-31",
        ]
    )  # fmt: skip
    assert filtered.exit_code == 0, filtered.output
    api = client.get(
        "/api/records/export?format=json&type=water&type=gas&date_from=2024-01-01&date_to=2024-01-31",
        headers=acc.headers,
    )
    assert filtered.stdout_bytes == api.data
    assert [item["meter"] for item in api.get_json()["items"]] == ["Water", "Gas"]
    by_meter = runner.invoke(args=["records", "export", "--user", acc.email, "--meter-id", str(acc.meters["Gas"])])
    assert by_meter.stdout.splitlines()[1:] == ["2024-01-05,Gas,3.5,,,gas,m3"]

    other = account(app, client)
    path = tmp_path / "export.csv"
    path.write_bytes(csv_out.stdout_bytes)
    imported = runner.invoke(args=["records", "import", str(path), "--user", other.email])
    assert imported.exit_code == 0, imported.output
    assert imported.stdout == "Imported 3 record(s); skipped 0 duplicate(s).\n"
    assert records_of(app, other.id) == records_of(app, acc.id)


def test_export_command_refuses_a_reversed_range(app: Flask, acc: Account) -> None:
    result = app.test_cli_runner().invoke(
        args=["records", "export", "--user", acc.email, "--date-from", "2024-02-01", "--date-to", "2024-01-01"]
    )
    assert result.exit_code == 1
    assert result.stderr == "Error: --date-to: must not be before date_from\n"


def test_export_command_refuses_a_meter_of_another_account(app: Flask, client: FlaskClient, acc: Account) -> None:
    other = account(app, client)
    add_record(app, other.id, other.meters["Gas"], "2024-01-01", "1")
    for meter_id in (other.meters["Gas"], 999_999):
        result = app.test_cli_runner().invoke(
            args=["records", "export", "--user", acc.email, "--meter-id", str(meter_id)]
        )
        assert result.exit_code == 1
        assert result.stderr == "Error: --meter-id: Meter not found.\n"


def test_records_commands_hang_off_the_blueprint(app: Flask) -> None:
    group = app.blueprints["records"].cli
    assert sorted(group.commands) == ["export", "import"]
    assert app.test_cli_runner().invoke(args=["records", "--help"]).stdout.startswith("Usage: ")
