"""The GraphQL schema, derived from the catalog."""
