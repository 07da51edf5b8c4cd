"""Ingestion: read a partner's file into tables of cell texts with the partner's row numbers."""
