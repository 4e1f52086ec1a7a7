"""The resolve stage: citations formatted, notes numbered in reading order, fragments."""
