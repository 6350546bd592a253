"""Trusted documents: operations an agency registers by hash and a privacy officer approves."""
