"""Use cases, headless: every action a window offers is a function here and a CLI subcommand."""
