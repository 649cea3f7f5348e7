"""Relations of the open document: the relation table, the inspector, the builder and the
Relation menu."""
