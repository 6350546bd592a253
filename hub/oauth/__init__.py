"""The hub's OAuth2 authorization server: registered clients, the token endpoint, metadata.

Clients authenticate with `private_key_jwt` (RFC 7523 §2.2) and name the
official they act for in a JWT-bearer authorization grant (RFC 7523 §2.1);
the hub answers with a short-lived access token (`hub.auth.tokens`). See
docs/oauth.md for the flow.
"""
