"""Reorganisation: split a predecessor LA's children's data between successor authorities
(lookup.py, assign.py, plan.py, split.py) or merge several predecessors into one (merge.py,
linking their children with link.py), with every figure recomputed and reconciled
(figures.py). docs/reorg.md and docs/linkage.md explain the method."""
