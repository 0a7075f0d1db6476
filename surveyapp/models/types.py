"""Column types shared by the models."""

import enum

from sqlalchemy import Enum


def enum_column(enum_class: type[enum.Enum]) -> Enum:
    """A portable column type storing an Enum's values (not names) as short strings."""
    return Enum(enum_class, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)
