"""The model loop in the window: training, the pre-annotation model, relation suggestions."""
