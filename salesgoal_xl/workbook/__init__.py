"""See docs.md in this folder for what belongs here."""
