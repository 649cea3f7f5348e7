"""Teams in the window: who annotates, merging stores, agreement, curation, layers."""
