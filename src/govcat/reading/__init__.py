"""Reading: bytes -> Document with positions (YAML fast and precise paths, workbooks, source maps), and
the sketch of a file read only as context (the values the workspace rules read, without the document)."""
