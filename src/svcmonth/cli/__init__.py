"""The command-line adapter: parses, calls one domain function, renders. No SQL here."""
