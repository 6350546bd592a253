"""The alembic migration scripts, shipped inside the package.

They live here, not in a folder beside the project, so that they travel with
the code they migrate: an editable checkout, a wheel in site-packages and a
container image all find them through the import system
(`hub.db.migrate.SCRIPT_LOCATION`, resolved with importlib.resources), and
`ssis-hub migrate` works wherever `hub` imports. `alembic.ini` at the
project root points the `alembic` command at the same scripts.

`env.py` and the revisions under `versions/` are run by alembic, never imported.
"""
