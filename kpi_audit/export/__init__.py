"""Writing the store out for other systems (Parquet for data platforms)."""
