"""The console at /console: server-rendered pages for privacy officers, auditors and citizens.

It calls the same services as /admin/graphql (`hub.admin`) with the same
`Principal` and roles, so every permission check, every rule and every
access-log entry is the admin endpoint's own; nothing is written a second
time here. docs/console.md describes the pages, roles and sign-in.
"""
