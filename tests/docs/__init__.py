"""Documentation tests: docs/, the README and the example scripts run and stay complete."""
