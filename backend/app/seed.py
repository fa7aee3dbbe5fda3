"""Demo data: one account with three years of seasonal daily readings on all three meters."""

from __future__ import annotations

import math
import random
from datetime import timedelta

from sqlalchemy import insert, select

from .extensions import db
from .models import Meter, Record, User
from .services import clock, households, rollups
from .services.passwords import hash_password

DEMO_EMAIL = "demo@meterbook.local"
DEMO_PASSWORD = "meterbook-demo"

# (base per day, seasonal swing, price per unit): winter peaks for electricity and gas, summer for water.
PROFILES = {
    "electricity": (9.5, 3.5, 0.31, 0.0),
    "water": (0.32, 0.08, 2.1, math.pi),
    "gas": (4.0, 4.2, 1.05, 0.0),
}


def seed_demo(days: int = 3 * 365, seed: int = 7) -> tuple[str, str, int]:
    """(Re)create the demo account; returns (email, password, records written)."""
    rng = random.Random(seed)
    existing = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if existing is not None:
        households.leave_all(existing.id)  # a household of the demo account alone goes with it
        db.session.delete(existing)
        db.session.flush()
    user = User(
        email=DEMO_EMAIL, name="Demo User", password_hash=hash_password(DEMO_PASSWORD), email_verified_at=clock.now()
    )
    db.session.add(user)
    db.session.flush()
    household = households.create_household(user, households.FIRST_HOUSEHOLD_NAME)
    meters = {m.type: m for m in db.session.scalars(select(Meter).where(Meter.household_id == household.id))}

    today = clock.now().date()
    start = today - timedelta(days=days - 1)
    rows = []
    for offset in range(days):
        day = start + timedelta(days=offset)
        season = math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365.25)
        weekend = 1.12 if day.weekday() >= 5 else 1.0
        for meter_type, (base, swing, price, phase) in PROFILES.items():
            value = max(0.0, (base + swing * math.cos(math.acos(season) + phase)) * weekend * rng.uniform(0.85, 1.15))
            amount_milli = round(value * 1000)
            note = None
            if day.day == 1:
                note = "Monthly meter check"
            elif rng.random() < 0.01:
                note = rng.choice(["Guests staying over", "Away for the day", "Laundry day", "Heating serviced"])
            rows.append(
                {
                    "household_id": household.id,
                    "created_by": user.id,
                    "meter_id": meters[meter_type].id,
                    "date": day,
                    "amount_milli": amount_milli,
                    "cost_cents": round(amount_milli * price / 10),
                    "note": note,
                    "created_at": clock.now(),
                    "updated_at": clock.now(),
                }
            )
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(Record), rows[chunk : chunk + 5000])
    rollups.rebuild(household.id)
    db.session.commit()
    return DEMO_EMAIL, DEMO_PASSWORD, len(rows)
