"""Statutory data standards: catalogues, versions and derived schemas."""
