"""The project store: every read and write of project files.
"""
