"""slack_sdk's OAuth tables, kept in the bot's own database.

The multi-workspace install (:mod:`bot.oauth`) stores installations, bot
tokens and OAuth ``state`` values with slack_sdk's SQLAlchemy stores. Their
tables are declared here with slack_sdk's own builders, so the stores find
exactly the columns they expect, and are created by the Alembic chain
(revision 0002) like every other table: the stores' ``create_tables()`` is
never called. Table names are the stores' defaults.
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import MetaData

from storage.models import NAMING, Base

metadata = MetaData(naming_convention=NAMING)

installations = SQLAlchemyInstallationStore.build_installations_table(
    metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
bots = SQLAlchemyInstallationStore.build_bots_table(
    metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    metadata, SQLAlchemyOAuthStateStore.default_table_name
)

# Everything the migration chain creates (Alembic's target, and what the
# "autogenerate finds no difference" test compares).
ALL_METADATA = (Base.metadata, metadata)
