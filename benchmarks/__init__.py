"""Speed budgets of the course, measured: ``python -m benchmarks`` (see README.md here)."""
