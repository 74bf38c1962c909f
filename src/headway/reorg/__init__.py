"""Reorganisation: link the children of predecessor LAs (link.py) so that a merged
workspace counts each child once and keeps every source identifier."""
