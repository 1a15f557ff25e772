"""Edge layer: figures and reports."""
