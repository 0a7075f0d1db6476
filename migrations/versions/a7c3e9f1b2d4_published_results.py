"""published results

Revision ID: a7c3e9f1b2d4
Revises: a3d5f7b9c1e2
Create Date: 2026-12-03 08:00:00.000000

Each version of a published result (``publications``) keeps its figures as a JSON snapshot,
frozen when it was published.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "a7c3e9f1b2d4"
down_revision = "a3d5f7b9c1e2"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "subject", sa.Enum("campaign", name="publicationsubject", native_enum=False, length=20), nullable=False
        ),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=500), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("change_note", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(length=80), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("slug", "version", name=op.f("uq_publications_slug")),
        sa.UniqueConstraint("subject", "subject_id", "version", name=op.f("uq_publications_subject")),
    )
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publications_slug"), ["slug"], unique=False)
        batch_op.create_index(batch_op.f("ix_publications_subject_id"), ["subject_id"], unique=False)


def downgrade():
    with op.batch_alter_table("publications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publications_subject_id"))
        batch_op.drop_index(batch_op.f("ix_publications_slug"))
    op.drop_table("publications")
