"""Repositories: small, one per aggregate, returning plain records."""
