"""The library version: part of every cache key and saved model."""

__version__ = "0.1.0"
