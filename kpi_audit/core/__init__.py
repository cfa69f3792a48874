"""Shared vocabulary of every stage: fields, periods, typed models, the result, errors."""
