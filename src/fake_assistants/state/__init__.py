"""Saving and loading a fake's state: snapshots in memory, versioned JSON dumps."""
