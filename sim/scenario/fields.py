"""Field types shared by the scenario schema: dates, names, people, shares, sources.

Numbers that can make a run long or large (people, units, attacks) carry their limit
from ``sim.scenario.limits``, which says why it lies where it does.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sim.scenario.limits import ATTACKS_PER_MONTH, PEOPLE, UNITS

Path = tuple[str | int, ...]


def as_date(value: object) -> object:
    """Accept a YAML date, or an ISO date string (from an override or a quoted date)."""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise ValueError("expected a date (YYYY-MM-DD), not a date and time")
        return value.date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"expected a date (YYYY-MM-DD), got {value!r}") from None
    return value


Day = Annotated[dt.date, BeforeValidator(as_date)]
Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_\-]*$", max_length=60)]
Source = Annotated[
    str | None,
    Field(description="Where the figures here come from, or 'assumption' and why."),
]
People = Annotated[int, Field(ge=0), PEOPLE]
Units = Annotated[int, Field(ge=0), UNITS]  # units of one type (at once)
Share = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0, le=1e9)]
AttacksPerMonth = Annotated[float, Field(ge=0.0), ATTACKS_PER_MONTH]


def slug(name: str) -> str:
    """A phase name as it appears in outcome column names: lower case, underscores."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "phase"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)
