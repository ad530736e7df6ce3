"""Mail: reading saved and IMAP mail, parsing it, the intake, and sending over SMTP."""
