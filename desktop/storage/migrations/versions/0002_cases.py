"""cases: citizens, cases, consent, profile values, materials, outbox, timeline, visits, ratings

Revision ID: 0002_cases
Revises: 0001_foundation
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_cases"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('citizens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('id_number', sa.String(length=18), nullable=False),
    sa.Column('id_masked', sa.String(length=24), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citizens')),
    sa.UniqueConstraint('id_hash', name=op.f('uq_citizens_id_hash'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_no', sa.String(length=40), nullable=False),
    sa.Column('citizen_id', sa.Integer(), nullable=False),
    sa.Column('one_thing', sa.String(length=40), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=False),
    sa.Column('counter', sa.String(length=50), nullable=False),
    sa.Column('card_json', sa.Text(), nullable=False),
    sa.Column('form_json', sa.Text(), nullable=False),
    sa.Column('application_json', sa.Text(), nullable=True),
    sa.Column('delivery_method', sa.String(length=20), nullable=False),
    sa.Column('delivery_address', sa.String(length=300), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_cases_assignee_id_users')),
    sa.ForeignKeyConstraint(['citizen_id'], ['citizens.id'], name=op.f('fk_cases_citizen_id_citizens')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('case_no', name=op.f('uq_cases_case_no'))
    )
    op.create_index(op.f('ix_cases_assignee_id'), 'cases', ['assignee_id'], unique=False)
    op.create_index(op.f('ix_cases_citizen_id'), 'cases', ['citizen_id'], unique=False)
    op.create_index(op.f('ix_cases_state'), 'cases', ['state'], unique=False)
    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('adapter_id', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    op.create_index(op.f('ix_case_events_case_id'), 'case_events', ['case_id'], unique=False)
    op.create_table('case_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('commitment', sa.String(length=300), nullable=False),
    sa.Column('owed_by', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_materials_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_materials')),
    sa.UniqueConstraint('case_id', 'code', name='uq_case_materials_case_code')
    )
    op.create_index(op.f('ix_case_materials_case_id'), 'case_materials', ['case_id'], unique=False)
    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('consent_ref', sa.String(length=64), nullable=False),
    sa.Column('scope_json', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=300), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('clerk_id', sa.Integer(), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_consents_case_id_cases')),
    sa.ForeignKeyConstraint(['clerk_id'], ['users.id'], name=op.f('fk_consents_clerk_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents')),
    sa.UniqueConstraint('consent_ref', name=op.f('uq_consents_consent_ref'))
    )
    op.create_index(op.f('ix_consents_case_id'), 'consents', ['case_id'], unique=False)
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('adapter_id', sa.String(length=100), nullable=False),
    sa.Column('item_codes', sa.String(length=300), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('payload', sa.LargeBinary(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=100), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('department_ref', sa.String(length=100), nullable=True),
    sa.Column('department_reason', sa.Text(), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_outbox_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_outbox_idempotency_key'))
    )
    op.create_index(op.f('ix_outbox_adapter_id'), 'outbox', ['adapter_id'], unique=False)
    op.create_index(op.f('ix_outbox_case_id'), 'outbox', ['case_id'], unique=False)
    op.create_index('ix_outbox_due', 'outbox', ['state', 'next_attempt_at'], unique=False)
    op.create_index(op.f('ix_outbox_state'), 'outbox', ['state'], unique=False)
    op.create_table('profile_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=80), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.Column('fetched_at', sa.DateTime(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('chosen', sa.Boolean(), nullable=False),
    sa.Column('chosen_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_profile_values_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_profile_values')),
    sa.UniqueConstraint('case_id', 'field', 'source', name='uq_profile_values_case_field_source')
    )
    op.create_index(op.f('ix_profile_values_case_id'), 'profile_values', ['case_id'], unique=False)
    op.create_table('ratings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_ratings_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ratings')),
    sa.UniqueConstraint('case_id', name=op.f('uq_ratings_case_id'))
    )
    op.create_table('visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('clerk_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_visits_case_id_cases')),
    sa.ForeignKeyConstraint(['clerk_id'], ['users.id'], name=op.f('fk_visits_clerk_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visits'))
    )
    op.create_index(op.f('ix_visits_case_id'), 'visits', ['case_id'], unique=False)
    op.create_table('material_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=260), nullable=False),
    sa.Column('mime', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('stored_path', sa.String(length=500), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['material_id'], ['case_materials.id'], name=op.f('fk_material_files_material_id_case_materials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_files'))
    )
    op.create_index(op.f('ix_material_files_material_id'), 'material_files', ['material_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_material_files_material_id'), table_name='material_files')
    op.drop_table('material_files')
    op.drop_index(op.f('ix_visits_case_id'), table_name='visits')
    op.drop_table('visits')
    op.drop_table('ratings')
    op.drop_index(op.f('ix_profile_values_case_id'), table_name='profile_values')
    op.drop_table('profile_values')
    op.drop_index(op.f('ix_outbox_state'), table_name='outbox')
    op.drop_index('ix_outbox_due', table_name='outbox')
    op.drop_index(op.f('ix_outbox_case_id'), table_name='outbox')
    op.drop_index(op.f('ix_outbox_adapter_id'), table_name='outbox')
    op.drop_table('outbox')
    op.drop_index(op.f('ix_consents_case_id'), table_name='consents')
    op.drop_table('consents')
    op.drop_index(op.f('ix_case_materials_case_id'), table_name='case_materials')
    op.drop_table('case_materials')
    op.drop_index(op.f('ix_case_events_case_id'), table_name='case_events')
    op.drop_table('case_events')
    op.drop_index(op.f('ix_cases_state'), table_name='cases')
    op.drop_index(op.f('ix_cases_citizen_id'), table_name='cases')
    op.drop_index(op.f('ix_cases_assignee_id'), table_name='cases')
    op.drop_table('cases')
    op.drop_table('citizens')
