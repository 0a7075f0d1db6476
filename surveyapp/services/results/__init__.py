"""A campaign's results: read from the database, scored by the pure ``scoring`` package, presented
once for every page, download and command, and exported."""
