"""Readiness: for each requirement of a pack, ready / at risk / gap, and why."""

from headway.readiness.engine import (
    PackReadiness,
    RequirementReadiness,
    assess,
    assess_all,
)
from headway.readiness.evidence import ItemEvidence

__all__ = ["ItemEvidence", "PackReadiness", "RequirementReadiness", "assess", "assess_all"]
