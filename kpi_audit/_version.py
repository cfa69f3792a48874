"""The version, in one place: pyproject reads it (setuptools ``attr:``) and the CLI prints
it without importlib.metadata, which costs more start-up time than the rest of ``--version``."""

__version__ = "0.1.0"
