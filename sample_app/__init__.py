"""sample_app: the stand-in for a user's product that the pipeline runs against."""
