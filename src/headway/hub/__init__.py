"""The hub: disclosure-safe sector evidence, deliberation and the asks ledger."""
