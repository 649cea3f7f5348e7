"""Pieces shared by several rooms of the window (the read-only table model)."""
