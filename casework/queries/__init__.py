"""The read side: each fact read by one typed, case- and city-scoped function that every page,
letter, report and export calls. Commands live in :mod:`casework.registry`."""
