"""Units per meter type: what is allowed, and the factors to each type's canonical unit."""

from __future__ import annotations

from decimal import Decimal
from typing import get_args

import pytest

from app.models import METER_TYPES as MODEL_METER_TYPES
from app.services import units


def test_meter_types_have_one_source() -> None:
    assert units.METER_TYPES == ("electricity", "water", "gas", "other")
    assert get_args(units.MeterType) == units.METER_TYPES
    assert MODEL_METER_TYPES is units.METER_TYPES
    assert set(units.UNITS) | {"other"} == set(units.METER_TYPES)


@pytest.mark.parametrize(
    ("meter_type", "unit", "problem"),
    [
        ("electricity", "kWh", None),
        ("electricity", "Wh", None),
        ("electricity", "MWh", None),
        ("electricity", "kwh", "must be one of kWh, Wh, MWh for a electricity meter"),
        ("water", "m3", None),
        ("water", "L", None),
        ("water", "gal", None),
        ("water", "kWh", "must be one of m3, L, gal for a water meter"),
        ("gas", "m3", None),
        ("gas", "ft3", None),
        ("gas", "L", "must be one of m3, ft3 for a gas meter"),
        ("other", "pellets-kg", None),
        ("other", "x" * 16, None),
        ("other", "x" * 17, "must be 1 to 16 characters without surrounding spaces"),
        ("other", "", "must be 1 to 16 characters without surrounding spaces"),
        ("other", " kg", "must be 1 to 16 characters without surrounding spaces"),
        ("steam", "t", "unknown meter type"),
    ],
)
def test_unit_error(meter_type: str, unit: str, problem: str | None) -> None:
    assert units.unit_error(meter_type, unit) == problem


def test_canonical_units_have_factor_one() -> None:
    for meter_type, canonical in units.CANONICAL.items():
        assert units.canonical_unit(meter_type, "anything") == canonical
        assert units.factor(meter_type, canonical) == Decimal(1)
    assert units.canonical_unit("other", "kg") == "kg"


@pytest.mark.parametrize(
    ("meter_type", "unit", "factor"),
    [
        ("electricity", "Wh", Decimal("0.001")),
        ("electricity", "MWh", Decimal(1000)),
        ("water", "L", Decimal("0.001")),
        ("water", "gal", Decimal("0.003785411784")),
        ("gas", "ft3", Decimal("0.028316846592")),
        ("other", "kg", Decimal(1)),
    ],
)
def test_factor(meter_type: str, unit: str, factor: Decimal) -> None:
    assert units.factor(meter_type, unit) == factor


def test_default_meters_fit_their_types() -> None:
    assert units.DEFAULT_METERS == (
        ("Electricity", "electricity", "kWh"),
        ("Water", "water", "m3"),
        ("Gas", "gas", "m3"),
    )
    assert all(units.unit_error(kind, unit) is None for _, kind, unit in units.DEFAULT_METERS)
