"""The `ssis-hub` command line."""
