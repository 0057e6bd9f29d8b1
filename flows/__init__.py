"""Prefect flows that wire lingopress's stages; the stages themselves live in `lingopress`."""
