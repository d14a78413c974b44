"""Plausible wrong (and unusual correct) answers, one module per assignment."""
