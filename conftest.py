"""The project's pytest plugin runs every Python block of the Markdown pages (see verifier/)."""

pytest_plugins = ["verifier.plugin"]
