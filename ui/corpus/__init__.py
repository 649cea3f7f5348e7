"""The corpus: the document list and its filters, search, the entity graph, statistics and
export."""
