"""Shared types and helpers every layer uses: documents, findings, pointers, errors, messages."""
