"""The ORM models, mapped onto TaskForge's own tables (functions/platform/migrations): the
schema is the migrations', so nothing here creates or alters a table. Only the columns the
three endpoints read or write are mapped."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    FetchedValue,
    ForeignKey,
    Identity,
    Integer,
    SmallInteger,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, column_property, mapped_column, relationship

Instant = TIMESTAMP(timezone=True)
Id = UUID(as_uuid=False)


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(Text)
    display_name: Mapped[str | None] = mapped_column(Text)
    # Bumped by logout and password change: a token of an older version is refused.
    token_version: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(Text)


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    personal: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(Id, ForeignKey("users.id"))
    # Bumped by a trigger on every write to the workspace's tasks and tags (migration 0005):
    # cached pages are keyed by it.
    cache_generation: Mapped[int] = mapped_column(BigInteger)


class Membership(Base):
    __tablename__ = "memberships"

    workspace_id: Mapped[str] = mapped_column(Id, ForeignKey("workspaces.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(Id, ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(Text)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    workspace_id: Mapped[str] = mapped_column(Id, ForeignKey("workspaces.id"))
    name: Mapped[str] = mapped_column(Text)
    color: Mapped[str] = mapped_column(Text)


task_tags = Table(
    "task_tags",
    Base.metadata,
    Column("task_id", Id, ForeignKey("tasks.id"), primary_key=True),
    Column("tag_id", Id, ForeignKey("tags.id"), primary_key=True),
)


class ChecklistItem(Base):
    __tablename__ = "checklist_items"

    id: Mapped[str] = mapped_column(Id, primary_key=True)
    task_id: Mapped[str] = mapped_column(Id, ForeignKey("tasks.id"))
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean)
    position: Mapped[int] = mapped_column(Integer)


class Task(Base):
    __tablename__ = "tasks"
    # INSERT ... RETURNING the columns the database fills in (id, timestamps, version).
    __mapper_args__ = {"eager_defaults": True}

    id: Mapped[str] = mapped_column(Id, primary_key=True, server_default=func.gen_random_uuid())
    owner_id: Mapped[str] = mapped_column(Id, ForeignKey("users.id"))
    workspace_id: Mapped[str] = mapped_column(Id, ForeignKey("workspaces.id"))
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, server_default="")
    completed: Mapped[bool] = mapped_column(Boolean, server_default="false")
    priority: Mapped[int] = mapped_column(SmallInteger, server_default="2")
    due_date: Mapped[datetime | None] = mapped_column(Instant)
    created_at: Mapped[datetime] = mapped_column(Instant, server_default=func.clock_timestamp())
    updated_at: Mapped[datetime] = mapped_column(Instant, server_default=func.clock_timestamp())
    completed_at: Mapped[datetime | None] = mapped_column(Instant)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    recurrence: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str | None] = mapped_column(Text)
    # The manual order's key: the database's default puts a new task at the end of its list.
    position: Mapped[str] = mapped_column(Text, server_default=FetchedValue())

    tags: Mapped[list[Tag]] = relationship(
        secondary=task_tags, order_by=(func.lower(Tag.name), Tag.id), lazy="raise", viewonly=True
    )
    # The checklist's progress, read with the task (two correlated counts) rather than loading the items.
    checklist_done: Mapped[int] = column_property(
        select(func.count())
        .where(ChecklistItem.task_id == id, ChecklistItem.done)
        .correlate_except(ChecklistItem)
        .scalar_subquery(),
        deferred=True,
        raiseload=True,
    )
    checklist_total: Mapped[int] = column_property(
        select(func.count()).where(ChecklistItem.task_id == id).correlate_except(ChecklistItem).scalar_subquery(),
        deferred=True,
        raiseload=True,
    )


class OutboxEvent(Base):
    """A task event, written in the transaction of the change it describes, in TaskForge's outbox
    table: the same write TaskForge makes. The monolith has no relay of its own and writes its
    events as published, so TaskForge's relay (in the stack raced against) does not carry them."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), server_default=func.gen_random_uuid())
    type: Mapped[str] = mapped_column(Text)
    workspace_id: Mapped[str] = mapped_column(Id)
    task_id: Mapped[str | None] = mapped_column(Id)
    actor_id: Mapped[str | None] = mapped_column(Id)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    published_at: Mapped[datetime | None] = mapped_column(Instant)
