"""Tables in files, without the database: reading uploads (``reading``), writing exports (``writing``)."""
