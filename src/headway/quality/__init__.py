"""Data quality for an LA workspace: the profile of the standard model, and the DfE rules.

The DfE rules are run by the D2I validators in their own environment (dfe.py drives
dfe_runner.py there); Headway never re-implements them.
"""

from headway.quality.dfe import DfeFinding, DfeRun, run_dfe_rules, run_validator
from headway.quality.profile import ItemProfile, QualityProfile, profile, render_profile
from headway.quality.report import QualityReport, run_quality

__all__ = [
    "DfeFinding",
    "DfeRun",
    "ItemProfile",
    "QualityProfile",
    "QualityReport",
    "profile",
    "render_profile",
    "run_dfe_rules",
    "run_quality",
    "run_validator",
]
