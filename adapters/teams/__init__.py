"""Microsoft Teams adapter on the Bot Framework SDK; every botbuilder import stays in here."""
