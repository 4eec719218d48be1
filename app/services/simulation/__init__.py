"""A working day played on the real services by simulated operators (`baton simulate`)."""
