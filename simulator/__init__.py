"""Simulated source institutions ("simulated ministries") for development and tests.

`Population` is a deterministic synthetic population; `create_simulator_app`
serves it over HTTP per docs/sources.md; `seed_sql_source` writes the SQL
source's tables; `SimulatorServer` runs the app in a background thread.
"""
