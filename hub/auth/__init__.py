"""Who is asking: bearer tokens and the request's accountable context."""
