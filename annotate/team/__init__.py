"""Teams: layers (one per annotator), merging analysts' stores, their agreement, curation."""
