"""What every center starts with, as plain data: the services in ``operations.services`` install it."""
