"""Pipeline stages as thin command-line programs: python -m tools.<stage>."""
