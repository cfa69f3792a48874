"""Reading submissions and registers: discover files, read sheets, match headers,
coerce values, validate rows, load into the store; and the blank template."""
