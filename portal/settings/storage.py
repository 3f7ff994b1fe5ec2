"""Media storage: the file system by default, S3-compatible object storage when configured (#16)."""
