"""Prefect flows (thin orchestration), the command line, and source reading."""
