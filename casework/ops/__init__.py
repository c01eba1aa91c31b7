"""Operations: anchoring the chains outside the database, backups and restores."""
