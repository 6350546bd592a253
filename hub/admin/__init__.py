"""The privacy officers' and consent channels' administrative GraphQL endpoint."""
