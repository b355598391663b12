"""Find a partner: ranking candidate councils and testing the ranking against partnerships that formed."""
