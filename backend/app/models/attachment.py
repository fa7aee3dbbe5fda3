from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

#: The parents an attachment can belong to (one at most), each a nullable foreign key.
PARENT_COLUMNS = ("reading_id", "record_id", "bill_id")


class Attachment(db.Model):  # type: ignore[name-defined,misc]
    """A re-encoded image of a household, in storage under keys the server chose.

    Its parent (a reading, a record or a bill) is one of three nullable foreign keys, at most
    one set; deleting the parent deletes the row on both databases (``ON DELETE CASCADE``,
    SQLite with ``foreign_keys=ON``), the files go after the commit (services/attachments.py).
    """

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN reading_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN record_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN bill_id IS NULL THEN 0 ELSE 1 END) <= 1",
            name="one_parent",
        ),
        Index("ix_attachments_household_id_created_at", "household_id", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"), nullable=False)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    storage_key: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    thumbnail_key: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    content_type: Mapped[str] = mapped_column(String(16), nullable=False)
    thumbnail_content_type: Mapped[str] = mapped_column(String(16), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    thumbnail_size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    reading_id: Mapped[int | None] = mapped_column(
        ForeignKey("readings.id", ondelete="CASCADE"), nullable=True, index=True
    )
    record_id: Mapped[int | None] = mapped_column(
        ForeignKey("records.id", ondelete="CASCADE"), nullable=True, index=True
    )
    bill_id: Mapped[int | None] = mapped_column(ForeignKey("bills.id", ondelete="CASCADE"), nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)

    @property
    def attached(self) -> bool:
        return any(getattr(self, column) is not None for column in PARENT_COLUMNS)


class HasAttachments:
    """The attachments of a reading, record or bill (read only: linking is the service's job, and
    the database deletes them with their parent)."""

    attachments: Mapped[list[Attachment]]

    @property
    def attachment_ids(self) -> list[int]:
        return [attachment.id for attachment in self.attachments]


def attachments_relationship(column: str) -> Mapped[list[Attachment]]:
    from sqlalchemy.orm import relationship

    return relationship(
        "Attachment",
        primaryjoin=f"foreign(Attachment.{column}) == {_PARENTS[column]}.id",
        viewonly=True,
        order_by="Attachment.id",
    )


_PARENTS = {"reading_id": "Reading", "record_id": "Record", "bill_id": "Bill"}
