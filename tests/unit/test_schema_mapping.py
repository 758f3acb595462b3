"""The ORM classes are mapped onto the Core tables of ``store.schema`` (the schema's one definition): each class
annotates every column of its table, and nothing else, with the column's nullability."""

from __future__ import annotations

import types
import typing

import pytest
from sqlalchemy import Table
from sqlalchemy.orm import Mapped

from counter_desk.store import models, schema

MAPPERS = sorted(models.Base.registry.mappers, key=lambda m: m.class_.__name__)


def _annotations(cls: type) -> dict[str, object]:
    hints = typing.get_type_hints(cls, vars(models))
    return {name: typing.get_args(hint)[0] for name, hint in hints.items() if typing.get_origin(hint) is Mapped}


def test_every_table_is_mapped_once() -> None:
    assert sorted(m.local_table.name for m in MAPPERS) == sorted(schema.metadata.tables)
    assert all(isinstance(m.local_table, Table) for m in MAPPERS)


@pytest.mark.parametrize("mapper", MAPPERS, ids=lambda m: m.class_.__name__)
def test_the_class_annotates_each_column_with_its_nullability(mapper: typing.Any) -> None:
    annotated = _annotations(mapper.class_)
    columns = {c.key: c for c in mapper.local_table.columns}
    assert set(annotated) == set(columns)
    for key, column in columns.items():
        hint = annotated[key]
        optional = isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)
        assert optional == column.nullable, f"{mapper.class_.__name__}.{key}: {hint} vs nullable={column.nullable}"


def test_the_password_hash_stays_deferred() -> None:
    """Officers on PostgreSQL may not read it (column grants): ``select(User)`` must leave it out."""
    assert models.User.__mapper__.attrs["password_hash"].deferred  # type: ignore[attr-defined]
