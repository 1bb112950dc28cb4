"""Crossties' wiring: builds settings → database → core → delivery → scheduler → adapters,
and holds the command line and `crossties serve`. The core (`bot/`) never imports it."""
