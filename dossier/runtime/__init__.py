"""What every stage runs on: child processes under limits, timings, atomic file writes, the pandoc executable."""
