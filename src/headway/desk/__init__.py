"""The desk: one queue for every demand on the data function."""
