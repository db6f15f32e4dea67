"""Keyset paging, newest first, over any model with ``date_created`` and a string key.

A page token says where a page starts: ``after`` the last item of the previous page (next
pages) or ``before`` the first item of the following page (previous pages). Keyset paging keeps
pages stable while rows are inserted, unlike offsets. The API room encodes tokens as Twilio's
opaque ``PageToken`` (``PA…``/``PB…``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")


class Direction(StrEnum):
    AFTER = "after"
    BEFORE = "before"


@dataclass(frozen=True)
class Cursor:
    direction: Direction
    date_created: datetime
    key: str


@dataclass(frozen=True)
class PageSpec:
    """Which page to fetch: from ``cursor`` when there is one, else ``offset`` rows in."""

    limit: int
    cursor: Cursor | None = None
    offset: int = 0


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    has_next: bool
    first_key: Cursor | None
    last_key: Cursor | None


async def fetch_page(
    session: AsyncSession,
    stmt: Select[Any],
    created: InstrumentedAttribute[datetime],
    key: InstrumentedAttribute[str],
    spec: PageSpec,
    to_record: Callable[[Any], T],
) -> Page[T]:
    """One page of ``stmt``'s rows ordered by (created, key) descending, as ``spec`` says."""
    cursor, limit = spec.cursor, spec.limit
    backwards = cursor is not None and cursor.direction is Direction.BEFORE
    if cursor is not None:
        newer = or_(created > cursor.date_created, and_(created == cursor.date_created, key > cursor.key))
        older = or_(created < cursor.date_created, and_(created == cursor.date_created, key < cursor.key))
        stmt = stmt.where(newer if backwards else older)
    order = (created.asc(), key.asc()) if backwards else (created.desc(), key.desc())
    stmt = stmt.order_by(*order).limit(limit + 1)
    if cursor is None and spec.offset:
        stmt = stmt.offset(spec.offset)
    rows: Sequence[Any] = (await session.scalars(stmt)).all()
    more = len(rows) > limit
    rows = list(rows[:limit])
    if backwards:
        rows.reverse()
    # Going backwards, the page we came from still follows this one.
    has_next = True if backwards else more
    first = Cursor(Direction.BEFORE, rows[0].date_created, getattr(rows[0], key.key)) if rows else None
    last = Cursor(Direction.AFTER, rows[-1].date_created, getattr(rows[-1], key.key)) if rows else None
    return Page([to_record(row) for row in rows], has_next, first, last)
