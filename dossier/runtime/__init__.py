"""What every stage runs on: limited child processes, timings, atomic writes, pandoc."""
