"""Publishing a validated workspace: the database, metrics, the docs site, generated artifacts, workbooks.

Everything here takes the outcome of a validation run; nothing here runs the engine."""
