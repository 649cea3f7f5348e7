"""The open document: its view (text, highlights, arcs), entity table, label palette and
the review of its entities."""
