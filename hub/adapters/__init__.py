"""Adapters at each partner's edge: parse, validate, pseudonymise, map to contract events."""
