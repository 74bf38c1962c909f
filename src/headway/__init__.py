"""Headway: the Centre of Excellence's system for large-scale change in children's social care."""

__version__ = "0.1.0"
