"""The reader: reading comfort and the annotated report."""
