"""The hub's own database: engine set-up and table models."""
