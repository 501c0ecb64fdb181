"""The progress maths: plain Python on plain values, no Django, so it is tested without a database."""
