"""Database backend: django-tenants' PostgreSQL backend, keeping the ContentType cache across schemas."""
