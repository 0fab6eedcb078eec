"""The comparison report: figures (matplotlib), a self-contained HTML page, a one-page PDF."""
