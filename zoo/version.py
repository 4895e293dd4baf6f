"""The zoo's version, recorded on every card."""
__version__ = "0.1.0"
