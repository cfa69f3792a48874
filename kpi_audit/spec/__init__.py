"""What is audited, as data: the TOML reader, the indicator catalog, target files."""
