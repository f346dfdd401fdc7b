"""The Card aggregate, one module per section of domain/card.py."""
