"""Units per meter type and their factors to the type's canonical unit."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal, get_args

# The one list of meter types: schemas, the import, the command line and analytics read it here.
MeterType = Literal["electricity", "water", "gas", "other"]
METER_TYPES: tuple[str, ...] = get_args(MeterType)
UNIT_MAX = 16

UNITS: dict[str, dict[str, Decimal]] = {
    "electricity": {"kWh": Decimal(1), "Wh": Decimal("0.001"), "MWh": Decimal(1000)},
    "water": {"m3": Decimal(1), "L": Decimal("0.001"), "gal": Decimal("0.003785411784")},
    "gas": {"m3": Decimal(1), "ft3": Decimal("0.028316846592")},
}
CANONICAL = {"electricity": "kWh", "water": "m3", "gas": "m3"}
DEFAULT_METERS = (("Electricity", "electricity", "kWh"), ("Water", "water", "m3"), ("Gas", "gas", "m3"))


def unit_error(meter_type: str, unit: str) -> str | None:
    """Return why ``unit`` is not allowed for ``meter_type``, or None when it is."""
    if meter_type == "other":
        if not 1 <= len(unit) <= UNIT_MAX or unit != unit.strip():
            return f"must be 1 to {UNIT_MAX} characters without surrounding spaces"
        return None
    allowed = UNITS.get(meter_type)
    if allowed is None:
        return "unknown meter type"
    if unit not in allowed:
        return f"must be one of {', '.join(allowed)} for a {meter_type} meter"
    return None


def canonical_unit(meter_type: str, unit: str) -> str:
    return CANONICAL.get(meter_type, unit)


def factor(meter_type: str, unit: str) -> Decimal:
    return UNITS.get(meter_type, {}).get(unit, Decimal(1))
