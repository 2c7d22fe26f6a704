"""The dashboard's Jinja2 templates and stylesheet, shipped as agent_engine.report.templates."""
